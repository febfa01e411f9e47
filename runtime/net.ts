/** Network helpers the servers flowc starts (broker, dashboard) share. */

/**
 * True for addresses only this machine reaches: servers bound elsewhere warn that they are open
 * to the network.
 *
 * @example
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0"); // false: every interface
 */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
