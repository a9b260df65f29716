// Start a real `leadline serve` on 127.0.0.1 with a fresh data directory (and, when
// LEADLINE_E2E_DATABASE_URL is set, a PostgreSQL database), and drive Debian's chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const here = new URL("..", import.meta.url).pathname;
export const backend = process.env.LEADLINE_E2E_DATABASE_URL ? "postgres" : "sqlite";
export const outDir = resolve(here, "output", backend);

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export const bin = resolve(here, process.env.LEADLINE_BIN ?? "../target/debug/leadline");

/** Start `leadline serve`; `databaseUrl` overrides the database (several servers may share one). */
export async function startServer({ databaseUrl } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "leadline-e2e-"));
  const port = await freePort();
  const env = { ...process.env, LEADLINE_DATA_DIR: dataDir, RUST_LOG: "warn" };
  const db = databaseUrl ?? process.env.LEADLINE_E2E_DATABASE_URL;
  if (db) env.LEADLINE_DATABASE_URL = db;
  else delete env.LEADLINE_DATABASE_URL;
  const child = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`], { env, stdio: ["ignore", "inherit", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`leadline exited with ${child.exitCode}`);
    try {
      if ((await fetch(base + "/healthz")).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("leadline did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    /** Stop it (SIGTERM), or kill it outright (`signal` "SIGKILL") as a crash would. */
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill(signal);
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  mkdirSync(outDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** Save a screenshot of the page as output/<backend>/<name>.png. */
export async function shot(page, name) {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
}

export async function signIn(page, base, email, password) {
  await page.goto(base + "/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/");
}

export async function signOut(page) {
  await page.locator("details.user-menu summary").click();
  await page.locator("details.user-menu").getByRole("button").last().click();
  await page.waitForURL(/\/login$/);
}
