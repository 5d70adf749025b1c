// How every browser test starts Debian's Chromium through playwright-core: headless, and with
// the background services off (this machine's closed network refuses their connections).

export const chromiumPath = process.env.PSD_CHROMIUM ?? "/usr/bin/chromium";

export const chromiumOptions = {
  executablePath: chromiumPath,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
