/**
 * PNG pictures for `flowc graph -o flow.png` and `flowc plot -o plot.png`: the SVG drawn as for
 * `.svg`, rasterised by resvg (@resvg/resvg-js, whose npm package carries its compiled binary, so
 * nothing is downloaded or built at install). Loaded only when a PNG is asked for.
 */

/**
 * Rasterises an SVG document at twice its size (sharp on high-density screens and in READMEs),
 * on white, with the system's fonts.
 *
 * @example
 * await writeFile("flow.png", await svgToPng(await renderGraph(programs, "svg")));
 */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  const image = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  }).render();
  return image.asPng();
}
