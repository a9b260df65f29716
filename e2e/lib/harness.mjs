// Start a real `leadline serve` on 127.0.0.1 with a fresh data directory (and, when
// LEADLINE_E2E_DATABASE_URL is set, a PostgreSQL database), and drive Debian's chromium.
import { spawn, spawnSync } from "node:child_process";
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

/** Start `leadline serve`; `databaseUrl` overrides the database (several servers may share one),
 * `dataDir` the data directory (a server started again on the one a killed one left). */
export async function startServer({ databaseUrl, dataDir = mkdtempSync(join(tmpdir(), "leadline-e2e-")) } = {}) {
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
    dataDir,
    /** Stop it (SIGTERM), or kill it outright (`signal` "SIGKILL") as a crash would; `keep`
     * leaves its data directory for a server started after it. */
    async stop(signal = "SIGTERM", { keep = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill(signal);
        await exited;
      }
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A database of its own named `<e2e database>_<suffix>` (the other tests expect theirs fresh). */
export function freshDatabase(suffix) {
  const shared = process.env.LEADLINE_E2E_DATABASE_URL;
  const url = new URL(shared);
  const name = `${url.pathname.slice(1)}_${suffix}`;
  const psql = (sql) => {
    const r = spawnSync("psql", [shared, "-qc", sql], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  };
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Run the `leadline` command on a store: a PostgreSQL URL, or a data directory (SQLite). */
export function cli({ databaseUrl, dataDir }, args, input) {
  const env = { ...process.env, RUST_LOG: "warn" };
  if (databaseUrl) env.LEADLINE_DATABASE_URL = databaseUrl;
  else delete env.LEADLINE_DATABASE_URL;
  if (dataDir) env.LEADLINE_DATA_DIR = dataDir;
  const r = spawnSync(bin, args, { env, input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`leadline ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A store of its own for a test: a fresh database on PostgreSQL, a fresh directory on SQLite,
 * with an administrator and a write token made by the command line. */
export function ownStore(suffix) {
  const db = backend === "postgres" ? freshDatabase(suffix) : null;
  const where = db ? { databaseUrl: db.url } : { dataDir: mkdtempSync(join(tmpdir(), "leadline-e2e-")) };
  cli(where, ["migrate"]);
  const email = `${suffix}@leadline.test`;
  cli(where, ["user", "create", "--email", email, "--role", "admin"], "a long password 123\n");
  const token = cli(where, ["token", "create", "--user", email, "--name", "e2e", "--scope", "write"]);
  return {
    ...where,
    email,
    password: "a long password 123",
    token,
    drop() {
      if (db) db.drop();
      else rmSync(where.dataDir, { recursive: true, force: true });
    },
  };
}

/** Wait until `check` gives something truthy. */
export async function until(what, check, seconds = 40) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`waited ${seconds} s for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A JSON API call with a bearer token; fails the test on any error status. */
export async function api(base, token, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
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
