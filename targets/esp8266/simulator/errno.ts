/**
 * The errno values MicroPython raises as `OSError(n)` on the ESP8266 (its `errno` module uses the
 * Linux numbering), for the failures the simulation injects.
 */
export const Errno = {
  /** A flash write the chip refused (ROMFS: outside the partition, or not word-aligned). */
  EIO: 5,
  /** Writing to a socket the program already closed. */
  EBADF: 9,
  /** An I2C address that nothing acknowledges. */
  ENODEV: 19,
  /** An argument the call does not take (ROMFS: a write bigger than the partition). */
  EINVAL: 22,
  /** The broker dropped the connection, or the link under it went away. */
  ECONNRESET: 104,
  /** A socket timeout: nothing arrived in time. */
  ETIMEDOUT: 110,
  /** Nothing listens on the broker's port. */
  ECONNREFUSED: 111,
  /** No route: the Wi-Fi station is not connected. */
  EHOSTUNREACH: 113,
} as const;
