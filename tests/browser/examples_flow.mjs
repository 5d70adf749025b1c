// A "Verify your account" example app (examples/) in a real browser: Debian's Chromium, driven
// by playwright-core, clicks Connect, chooses an identity on the emulator's consent page,
// approves or denies, and reads the app's page; then replays a callback and opens one in a
// browser context other than the one that began it, both of which the app must refuse.
//
// Run by scripts/test-examples, which starts the app, the emulator and a redis-server:
//   node examples_flow.mjs NAME APP_URL
// Screenshots land in target/browser/examples/NAME/. Prints `N passed, N failed` last.

import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { strict as assert } from "node:assert";

import { chromium } from "playwright-core";

import { chromiumOptions } from "./chromium.mjs";

const [name, appUrl] = process.argv.slice(2);
if (!name || !appUrl) {
  console.error("usage: node examples_flow.mjs NAME APP_URL");
  process.exit(2);
}
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const targetDir = process.env.PSD_TARGET_DIR ?? join(repoRoot, "target");
const screenshotDir = join(targetDir, "browser", "examples", name);

// scripts/test-examples offers these two TikTok identities on the consent page.
const chosen = { platform_id: "_000xyz", handle: "jane <second> & co" };
const callbackPattern = /\/callback\?/;

/** A new page of a new browser context (its own cookies: its own browser session). */
async function newBrowserSession(browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

/** On the app's page, clicks Connect TikTok; resolves on the emulator's consent page. */
async function connect(page) {
  await page.goto(appUrl);
  await Promise.all([page.waitForURL(/\/oauth\/delegate\?/), page.click("#connect-tiktok")]);
  assert.equal(await page.locator("#platform").textContent(), "TikTok");
}

/** Rejects when promise has not settled within ms: a missed event fails, never hangs. */
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function errorWords(page) {
  return (await page.locator("#error").textContent()).trim();
}

async function approveShowsTheVerifiedIdentityAndAReplayIsRefused(browser) {
  const { context, page } = await newBrowserSession(browser);
  try {
    await page.goto(appUrl);
    await page.screenshot({ path: join(screenshotDir, "1-connect.png"), fullPage: true });
    await connect(page);
    await page.check(`input[name=identity][value=${chosen.platform_id}]`);
    await page.screenshot({ path: join(screenshotDir, "2-consent.png"), fullPage: true });
    await Promise.all([page.waitForURL(callbackPattern), page.click("button.approve")]);
    assert.equal((await page.locator("#verified").textContent()).trim(), "Verified.");
    assert.equal(await page.locator("#platform").textContent(), "tiktok");
    assert.equal(await page.locator("#platform-id").textContent(), chosen.platform_id);
    assert.equal(await page.locator("#handle").textContent(), chosen.handle, "the handle is shown as text");
    await page.screenshot({ path: join(screenshotDir, "3-verified.png"), fullPage: true });

    // The same callback again (a reload, a back button, a leaked URL): its state was taken.
    await page.reload();
    assert.match(await errorWords(page), /already used or has expired\. Start again/);
    await page.screenshot({ path: join(screenshotDir, "4-replayed.png"), fullPage: true });
  } finally {
    await context.close();
  }
}

async function denyShowsTheDenial(browser) {
  const { context, page } = await newBrowserSession(browser);
  try {
    await connect(page);
    await Promise.all([page.waitForURL(callbackPattern), page.click("button.deny")]);
    assert.match(await errorWords(page), /You declined the request, so nothing was linked/);
    assert.equal(await page.locator("#verified").count(), 0);
    await page.screenshot({ path: join(screenshotDir, "5-denied.png"), fullPage: true });
  } finally {
    await context.close();
  }
}

async function aCallbackOpenedInAnotherBrowserIsRefused(browser) {
  const began = await newBrowserSession(browser);
  const other = await newBrowserSession(browser);
  try {
    await connect(began.page);
    // Keep the approved callback from reaching the app, as if its URL leaked elsewhere: the
    // consent page's answer is fetched here without following its redirect.
    const callbackUrl = new Promise((resolveUrl) => {
      began.page.route(/\/oauth\/delegate/, async (route) => {
        const response = await route.fetch({ maxRedirects: 0 });
        const location = response.headers()["location"] ?? "";
        if (!callbackPattern.test(location)) {
          await route.fulfill({ response });
          return;
        }
        resolveUrl(location);
        await route.fulfill({ status: 200, contentType: "text/plain", body: "callback withheld" });
      });
    });
    await began.page.click("button.approve");
    const url = await within(30_000, callbackUrl, "the approved callback's URL");

    await other.page.goto(url);
    assert.match(await errorWords(other.page), /started in another browser or session/);
    assert.equal(await other.page.locator("#verified").count(), 0);
    await other.page.screenshot({ path: join(screenshotDir, "6-other-browser.png"), fullPage: true });
  } finally {
    await began.context.close();
    await other.context.close();
  }
}

const tests = [
  ["approve with a chosen identity: the app shows it; the callback again is refused", approveShowsTheVerifiedIdentityAndAReplayIsRefused],
  ["deny: the app shows the denial", denyShowsTheDenial],
  ["a callback opened in another browser context is refused", aCallbackOpenedInAnotherBrowserIsRefused],
];

async function main() {
  mkdirSync(screenshotDir, { recursive: true });
  const browser = await chromium.launch(chromiumOptions);
  let passed = 0;
  let failed = 0;
  try {
    for (const [testName, test] of tests) {
      try {
        await test(browser);
        passed += 1;
        console.log(`ok - ${name}: ${testName}`);
      } catch (error) {
        failed += 1;
        console.log(`not ok - ${name}: ${testName}\n  ${String(error?.stack ?? error).replaceAll("\n", "\n  ")}`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots: ${screenshotDir}`);
  console.log(`${name}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  console.log(`${name}: 0 passed, 1 failed`);
  process.exitCode = 1;
});
