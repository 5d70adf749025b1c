// The consent flow in a real browser: Debian's Chromium, driven by playwright-core, opens an
// authorize URL of the emulator, chooses an identity, approves (or denies), and lands on the
// emulator's tester, which must show every check passed (or the denial).
//
// Run by scripts/test-browser; alone: `node consent_flow.mjs` after `cargo build --release`.
// Prints `N passed, N failed` last; exits non-zero when a test failed.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";

import { chromium } from "playwright-core";

import { chromiumOptions } from "./chromium.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const targetDir = process.env.PSD_TARGET_DIR ?? join(repoRoot, "target");
const cli = process.env.PSD_CLI ?? join(targetDir, "release", "postsyncer-delegate");
const screenshotDir = join(targetDir, "browser");

// Two TikTok accounts, so that choosing one is a real choice.
const identities = [
  { platform: "tiktok", platform_id: "_000abc", handle: "jane" },
  { platform: "tiktok", platform_id: "_000xyz", handle: "jane <second> & co" },
];

/** Starts the emulator on a free loopback port; resolves once it printed its three lines. */
function startEmulator(identitiesFile) {
  const child = spawn(cli, ["emulate", "--addr", "127.0.0.1:0", "--identities", identitiesFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolvePromise, reject) => {
    const values = {};
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const [name, ...rest] = line.split("=");
      values[name] = rest.join("=");
      if ("PSD_EMULATOR_URL" in values && "PSD_API_KEY" in values && "PSD_SIGNING_SECRET" in values) {
        lines.close();
        resolvePromise({ child, url: values.PSD_EMULATOR_URL, apiKey: values.PSD_API_KEY });
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the emulator exited early (${code}); is ${cli} built?`)));
  });
}

/** Creates a session whose callback is the emulator's tester; returns its authorize URL. */
async function createSession(emulator, state) {
  const response = await fetch(`${emulator.url}/api/oauth/delegate/sessions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${emulator.apiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ platform: "tiktok", callback_url: `${emulator.url}/tester/callback`, state }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).authorize_url;
}

async function approveWithChosenIdentity(emulator, context) {
  const state = randomBytes(16).toString("base64url");
  const authorizeUrl = await createSession(emulator, state);
  const page = await context.newPage();
  await page.goto(authorizeUrl);
  assert.equal(await page.locator("#platform").textContent(), "TikTok");
  assert.equal(await page.locator("#callback-host").textContent(), new URL(emulator.url).host);
  assert.equal(await page.locator("input[name=identity]").count(), 2);
  assert.ok((await page.textContent("body")).includes("jane <second> & co"), "the handle is shown as text");
  await page.screenshot({ path: join(screenshotDir, "consent.png"), fullPage: true });

  await page.check("input[name=identity][value=_000xyz]");
  await Promise.all([page.waitForURL(/\/tester\/callback\?/), page.click("button.approve")]);
  assert.equal((await page.locator("#verdict").textContent()).trim(), "Verified");
  for (const check of ["parameters", "signature", "platform", "state", "expiry"]) {
    const status = await page.locator(`tr[data-check=${check}] td:nth-child(2)`).textContent();
    assert.equal(status, "passed", `${check} should pass`);
  }
  assert.ok((await page.textContent("body")).includes("_000xyz"), "the chosen identity was proved");
  await page.screenshot({ path: join(screenshotDir, "tester-approved.png"), fullPage: true });

  // The authorize URL was single-use: opening it again shows the 410 page.
  const again = await page.goto(authorizeUrl);
  assert.equal(again.status(), 410);
  await page.close();
}

async function denyShowsTheDenial(emulator, context) {
  const authorizeUrl = await createSession(emulator, randomBytes(16).toString("base64url"));
  const page = await context.newPage();
  await page.goto(authorizeUrl);
  await Promise.all([page.waitForURL(/\/tester\/callback\?/), page.click("button.deny")]);
  assert.equal((await page.locator("#verdict").textContent()).trim(), "Rejected: authorization_denied");
  assert.ok((await page.textContent("body")).includes("access_denied"));
  assert.equal(await page.locator("tr[data-check=parameters] td:nth-child(2)").textContent(), "failed");
  await page.screenshot({ path: join(screenshotDir, "tester-denied.png"), fullPage: true });
  await page.close();
}

const tests = [
  ["approve with a chosen identity: the tester shows every check passed", approveWithChosenIdentity],
  ["deny: the tester shows the denial", denyShowsTheDenial],
];

async function main() {
  mkdirSync(screenshotDir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "psd-browser-"));
  const identitiesFile = join(scratch, "identities.json");
  writeFileSync(identitiesFile, JSON.stringify(identities));
  const emulator = await startEmulator(identitiesFile);
  const context = await chromium.launchPersistentContext(join(scratch, "profile"), chromiumOptions);
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, test] of tests) {
      try {
        await test(emulator, context);
        passed += 1;
        console.log(`ok - ${name}`);
      } catch (error) {
        failed += 1;
        console.log(`not ok - ${name}\n  ${String(error?.stack ?? error).replaceAll("\n", "\n  ")}`);
      }
    }
  } finally {
    await context.close();
    emulator.child.removeAllListeners("exit");
    emulator.child.kill("SIGTERM");
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`screenshots: ${screenshotDir}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
});
