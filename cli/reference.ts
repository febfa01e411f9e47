/**
 * The CLI reference in README.md, rendered from the registered commands themselves, so it lists
 * every command and option exactly as `flowc --help` does. cli/reference.test.ts keeps README.md
 * in step (`UPDATE_GOLDEN=1 npx vitest run cli/reference.test.ts` rewrites the section).
 */
import { Help, type Command } from "commander";
import { commands, createProgram } from "./main.js";

/** README.md's generated section lies between these two lines. */
export const referenceStart = "<!-- cli-reference:start (generated from the commands: see cli/reference.ts) -->";
export const referenceEnd = "<!-- cli-reference:end -->";

/**
 * Renders every command as Markdown: a summary table, then each command's usage, description,
 * arguments and options.
 *
 * @example
 * const markdown = await renderCliReference();
 */
export async function renderCliReference(): Promise<string> {
  const program = createProgram();
  for (const load of Object.values(commands)) (await load())(program);
  const help = new Help();
  const lines = ["| command | what it does |", "|---|---|"];
  for (const command of program.commands)
    lines.push(`| [\`${command.name()}\`](#flowc-${command.name()}) | ${cell(summaryOf(command))} |`);
  for (const command of program.commands) {
    lines.push("", `### flowc ${command.name()}`, "", `\`${help.commandUsage(command)}\``, "", command.description());
    const items = [
      ...help
        .visibleArguments(command)
        .map((argument) => [help.argumentTerm(argument), help.argumentDescription(argument)]),
      ...help
        .visibleOptions(command)
        .filter((option) => option.long !== "--help")
        .map((option) => [help.optionTerm(option), help.optionDescription(option)]),
    ];
    if (items.length > 0) {
      lines.push("", "| argument or option | meaning |", "|---|---|");
      for (const [term, description] of items) lines.push(`| \`${term}\` | ${cell(description ?? "")} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Replaces the generated section of `readme` with `reference`.
 *
 * @example
 * writeFileSync("README.md", withReference(readFileSync("README.md", "utf8"), await renderCliReference()));
 */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(referenceStart);
  const end = readme.indexOf(referenceEnd);
  if (start < 0 || end < start) throw new Error(`README.md lacks the lines ${referenceStart} and ${referenceEnd}`);
  return `${readme.slice(0, start + referenceStart.length)}\n\n${reference}\n${readme.slice(end)}`;
}

function summaryOf(command: Command): string {
  return command.summary() || command.description().split(/(?<=\.)\s/)[0] || "";
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}
