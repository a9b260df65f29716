// The web application in a real browser. Scenarios run in order against one server: the first
// creates the admin that the others sign in as.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { backend, shot, signIn, signOut, startBrowser, startServer } from "../lib/harness.mjs";

const ADMIN = { email: "admin@firma.example", password: "correct horse 1" };
const VIEWER = { email: "viewer@firma.example", password: "viewer password 1" };
let server, browser, page;
const consoleErrors = [];

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  page = await context.newPage();
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("console", (m) => {
    // Refused form posts answer 4xx by design; anything else logged as an error is a bug.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) consoleErrors.push(m.text());
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(`[${backend}] first run: create the first admin`, async () => {
  await page.goto(server.base + "/");
  await page.waitForURL(/\/setup$/);
  await page.getByLabel("Name").fill("Ada Admin");
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password").fill(ADMIN.password);
  await shot(page, "01-first-run");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await page.waitForURL(server.base + "/");
  await assert.doesNotReject(page.getByRole("heading", { name: "No contacts yet" }).waitFor());
  await shot(page, "01-first-run-dashboard");
});

test(`[${backend}] sign out and in again, keyboard first`, async () => {
  await signOut(page);
  await page.keyboard.press("Tab");
  // The login page's first stop is the e-mail box (autofocus) or the first control.
  await signIn(page, server.base, ADMIN.email, ADMIN.password);
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  assert.equal(focused, "Skip to content", "the first Tab reaches the skip link");
  const nav = await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
  assert.deepEqual(nav, ["Dashboard", "Contacts", "Companies", "Deals", "Segments", "Campaigns", "Analytics", "Work queue", "Import", "Settings"]);
  await shot(page, "02-signed-in");
});

test(`[${backend}] a Persian contact is found when typed with the other yeh and kaf`, async () => {
  await page.goto(server.base + "/contacts/new");
  await page.getByLabel("First name").fill("یاسمن");
  await page.getByLabel("Last name").fill("کریمی");
  await page.getByLabel("E-mails").fill("yasaman@firma.example");
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}/);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "یاسمن کریمی");
  // Arabic ي and ك instead of Persian ی and ک.
  await page.getByRole("combobox", { name: "Search" }).pressSequentially("كريمي", { delay: 30 });
  const hit = page.locator("#search-results a").first();
  await hit.waitFor();
  assert.match(await hit.textContent(), /یاسمن کریمی/);
  await shot(page, "03-search-persian");
  const href = await hit.getAttribute("href");
  await page.goto(server.base + "/contacts");
  await page.getByRole("combobox", { name: "Search" }).pressSequentially("یاسمن ك", { delay: 30 });
  await page.locator(`#search-results a[href="${href}"]`).waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForURL(server.base + href);
});

test(`[${backend}] an invalid e-mail is refused at its field`, async () => {
  await page.goto(server.base + "/contacts/new");
  await page.getByLabel("First name").fill("Marco");
  await page.getByLabel("E-mails").fill("marco@@firma");
  await page.getByRole("button", { name: "Create" }).click();
  const error = page.locator("#f-emails-error");
  await error.waitFor();
  assert.equal(await error.textContent(), "This is not a valid e-mail address.");
  assert.equal(await page.getByLabel("E-mails").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("First name").inputValue(), "Marco", "typed values are kept");
  await shot(page, "04-invalid-email");

  // On a contact's page each field saves itself when changed, with the refusal at the field.
  await page.goto(server.base + "/contacts?q=yasaman");
  await page.locator("tbody tr a").first().click();
  const country = page.getByLabel("Country");
  await country.fill("Narnia");
  await country.press("Tab");
  await page.locator("#f-country-error").waitFor();
  assert.match(await page.locator("#f-country-error").textContent(), /two-letter country code/);
  await shot(page, "04-inline-error");
  // Another field saves on its own while the refused one still shows its refusal.
  const title = page.getByLabel("Job title");
  await title.fill("Procurement");
  await title.press("Tab");
  await page.getByRole("status").filter({ hasText: "Job title" }).waitFor();
  assert.equal(await page.locator("#f-country-error").count(), 1, "the refusal stays at its field");
  await country.fill("ir");
  await country.press("Tab");
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  assert.equal(await page.locator("#f-country-error").count(), 0);
  await page.reload();
  assert.equal(await page.getByLabel("Country").inputValue(), "IR");
  assert.equal(await page.getByLabel("Job title").inputValue(), "Procurement");
});

test(`[${backend}] CSV import with a bad row, through the pages`, async () => {
  await page.goto(server.base + "/import");
  const csv = [
    "Email,First Name,Last Name,Phone Number,Lifecycle Stage",
    "giulia@studio.example,Giulia,Conti,+39 06 1234 5678,lead",
    "this is not an email,Broken,Row,,lead",
    "jan@biuro.example,Jan,Kowalski,+48 22 123 45 67,subscriber",
    "ali@shirkat.example,علی,رضایی,,subscriber",
  ].join("\n");
  await page.locator("#import-file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByLabel("Purchased list name (optional)").fill("expo-2026");
  await page.getByRole("button", { name: "Upload and check columns" }).click();
  await page.getByRole("heading", { name: "Check the columns" }).waitFor();
  assert.equal(await page.getByLabel("Email").inputValue(), "email", "the e-mail column is detected");
  assert.equal(await page.getByLabel("First Name").inputValue(), "first_name");
  await shot(page, "05-import-mapping");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.waitForURL(/\/import\/[0-9a-f-]{36}$/);
  await page.getByText("Done", { exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-field="created"]').textContent(), "3");
  assert.equal(await page.locator('[data-field="rejected"]').textContent(), "1");
  // The first reasons are on the page, with the file's own line numbers (the header is line 1).
  assert.match(await page.locator("[data-rejects]").textContent(), /Line 3:.*not an e-mail|Line 3:/);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download rejected rows" }).click();
  const file = await (await download).path();
  const text = (await import("node:fs")).readFileSync(file, "utf8");
  assert.match(text, /this is not an email/);
  await shot(page, "05-import-done");
});

test(`[${backend}] a shared office phone is reviewed as a possible duplicate, not merged`, async () => {
  await page.goto(server.base + "/import");
  // Jan's office line again, for a colleague with an address of her own.
  const csv = ["Email,First Name,Last Name,Phone Number", "ewa@biuro.example,Ewa,Nowak,+48 22 123 45 67"].join("\n");
  await page.locator("#import-file").setInputFiles({ name: "office.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Upload and check columns" }).click();
  await page.getByRole("heading", { name: "Check the columns" }).waitFor();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.waitForURL(/\/import\/[0-9a-f-]{36}$/);
  await page.getByText("Done", { exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-field="created"]').textContent(), "1");
  assert.equal(await page.locator('[data-field="possible_duplicates"]').textContent(), "1");
  await page.getByRole("link", { name: "Possible duplicates" }).click();
  await page.waitForURL(/\/duplicates$/);
  const pair = page.locator(".pair").first();
  await pair.getByText("Same phone number").waitFor();
  assert.ok((await pair.textContent()).includes("ewa@biuro.example"));
  assert.ok((await pair.textContent()).includes("jan@biuro.example"));
  await page.setViewportSize({ width: 390, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page fits a 390 px screen (${width} px)`);
  await shot(page, "05-duplicates-390");
  for (const path of ["/import", "/settings"]) {
    await page.goto(server.base + path);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= 390, `${path} fits a 390 px screen (${w} px)`);
  }
  await page.goto(server.base + "/duplicates");
  await page.setViewportSize({ width: 1280, height: 800 });
  await shot(page, "05-duplicates");
  await pair.getByRole("button", { name: "Not the same person" }).click();
  await page.getByText("Kept apart: this pair will not be suggested again.").waitFor();
  await page.getByRole("link", { name: "Kept apart (1)" }).waitFor();
});

test(`[${backend}] bulk stage change from the list`, async () => {
  await page.goto(server.base + "/contacts?sort=first_name");
  const rows = page.locator("tbody tr");
  await rows.first().waitFor();
  const names = [];
  for (const i of [0, 1]) {
    names.push((await rows.nth(i).locator("td").nth(1).textContent()).trim());
    await rows.nth(i).getByRole("checkbox").check();
  }
  await page.locator("#bulk-stage").selectOption("sql");
  await shot(page, "06-bulk-selected");
  await page.getByRole("button", { name: "Set stage" }).click();
  await page.getByText("2 contacts updated").waitFor();
  await page.goto(server.base + "/contacts?lifecycle_stage=sql");
  const shown = (await page.locator("tbody tr td:nth-child(2)").allTextContents()).map((s) => s.trim()).sort();
  assert.deepEqual(shown, names.sort());
  await shot(page, "06-bulk-done");
});

test(`[${backend}] Persian switches the page to right-to-left`, async () => {
  await page.goto(server.base + "/contacts");
  await page.locator("details.user-menu summary").click();
  await page.locator("#language").selectOption("fa");
  await page.getByRole("button", { name: "Change language" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
  assert.equal(await page.locator("html").getAttribute("lang"), "fa");
  const nav = await page.getByRole("navigation").first().getByRole("link").allTextContents();
  assert.ok(nav.includes("مخاطبان") && nav.includes("پیشخوان"), nav.join(", "));
  // Logical properties: the navigation starts at the right edge.
  const box = await page.locator(".brand").boundingBox();
  assert.ok(box.x > 640, `brand at x=${box.x} in RTL`);
  await shot(page, "07-persian-rtl");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "07-persian-rtl-phone");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator("details.user-menu summary").click();
  await page.locator("#language").selectOption("en");
  await page.locator("details.user-menu form button").first().click();
  await page.waitForLoadState();
  assert.equal(await page.locator("html").getAttribute("dir"), "ltr");
});

test(`[${backend}] a scoring rule edited, previewed and applied makes a lead an MQL in a rep's queue`, async () => {
  // The admin takes the sales team's leads (the shipped routing ends in "round robin sales").
  await page.goto(server.base + "/settings/routing");
  await page.getByLabel("User").selectOption({ label: "Ada Admin" });
  await page.getByLabel("Team").fill("sales");
  await page.locator("form[action='/settings/routing/members'] button").click();
  await page.getByText("Routing saved.").waitFor();
  // A lead from Poland with two forms: fit 25 (C), engagement 30; not yet an MQL.
  const api = (method, path, body) =>
    page.evaluate(
      async ([method, path, body]) => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch(path, {
          method,
          headers: { "content-type": "application/json", "x-csrf-token": csrf },
          body: body === null ? undefined : JSON.stringify(body),
        });
        return r.json();
      },
      [method, path, body ?? null],
    );
  const lead = await api("POST", "/api/v1/contacts", {
    first_name: "Olga", last_name: "Fabryczna", job_title: "Engineer", emails: ["olga@fabryka.example"], country: "PL",
  });
  const form = { type: "form_submission", contact_id: lead.id };
  await api("POST", "/api/v1/activities", [form, form]);
  const stageOf = async () => (await api("GET", `/api/v1/contacts/${lead.id}`)).lifecycle_stage;
  const until = async (what, check) => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`waited 30 s for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  await until("the lead", async () => (await stageOf()) === "lead");

  // Edit: the target country is worth 30 instead of 10.
  await page.goto(server.base + "/settings");
  await page.getByRole("link", { name: "Edit the rules" }).click();
  await page.getByText("The rules a fresh install ships apply now.").waitFor();
  await page.locator('tr[data-rule="Target country"] input[aria-label="Points"]').fill("30");
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.locator("[data-preview]");
  await preview.waitFor();
  const stages = await preview.locator("[data-stage-moves] tbody tr").allTextContents();
  assert.ok(stages.some((r) => r.includes("Lead") && r.includes("Marketing qualified lead")), stages.join(" | "));
  assert.ok((await preview.locator("[data-movers]").textContent()).includes("Olga Fabryczna"));
  assert.equal(await stageOf(), "lead", "a preview changes nothing");
  await shot(page, "09-scoring-preview");

  // Apply: the job follows the engine through every contact; the lead becomes an MQL and is routed.
  await page.getByLabel("Note").fill("Poland weighs more");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/\/jobs\//);
  await page.getByText("Deciding every contact again under the new rules").waitFor();
  await page.locator('[data-field="status"]', { hasText: "Done" }).waitFor({ timeout: 30_000 });
  await shot(page, "09-scoring-applied");
  await until("the MQL", async () => (await stageOf()) === "mql");
  await page.goto(server.base + "/queue");
  await page.getByRole("link", { name: "Olga Fabryczna" }).waitFor();
  await shot(page, "09-scoring-queue");
  await page.goto(server.base + "/settings/scoring");
  await page.getByText("Version 1 applies now.").waitFor();
  assert.ok((await page.locator("[data-versions]").textContent()).includes("Poland weighs more"));
});

test(`[${backend}] the condition builder writes the rule language and the server reads it as typed`, async () => {
  await page.goto(server.base + "/segments");
  const builder = page.locator("fieldset[data-builder]");
  await builder.waitFor();
  await builder.getByLabel("Field").selectOption("country");
  await builder.getByLabel("Value").fill("PL");
  await builder.getByRole("button", { name: "Add" }).first().click();
  await builder.getByLabel("Did").selectOption("page_view");
  await builder.getByLabel("at least (times)").fill("2");
  await builder.getByLabel("in the last (days)").fill("14");
  await builder.getByRole("button", { name: "Add" }).last().click();
  const box = page.locator("#seg-condition");
  assert.equal(await box.inputValue(), 'country = "PL" and count(page_view, last 14 days) >= 2');
  await page.locator("[data-condition-check]", { hasText: "Reads:" }).waitFor();
  await box.fill("count(page_view) > 2");
  await page.locator("[data-condition-check].field-error", { hasText: "window" }).waitFor();
  await shot(page, "10-condition-builder");
});

test(`[${backend}] a read-only user sees no write actions and is refused when forcing one`, async () => {
  await page.goto(server.base + "/settings");
  const users = page.locator("#users");
  await users.getByLabel("E-mail").fill(VIEWER.email);
  await users.getByLabel("Name").fill("Vera Viewer");
  await users.getByLabel("Role").selectOption("read_only");
  await users.getByLabel("Password").fill(VIEWER.password);
  await users.getByRole("button", { name: "Add user" }).click();
  await page.getByText("The user was saved.").waitFor();
  await signOut(page);
  await signIn(page, server.base, VIEWER.email, VIEWER.password);
  await page.goto(server.base + "/contacts");
  assert.equal(await page.getByRole("link", { name: "New contact" }).count(), 0);
  assert.equal(await page.locator("#bulk").count(), 0);
  assert.equal(await page.getByRole("link", { name: "Import" }).count(), 0);
  await page.locator("tbody tr a").first().click();
  assert.notEqual(await page.locator(".profile fieldset").getAttribute("disabled"), null, "the profile cannot be edited");
  assert.ok(await page.getByLabel("First name").isDisabled());
  assert.equal(await page.getByText("Add note").count(), 0);
  await shot(page, "08-read-only");
  // Forcing a write with a valid session and CSRF token still gets 403.
  const status = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const form = new URLSearchParams({ csrf, first_name: "Forced" });
    const page403 = await fetch("/contacts/new", { method: "POST", body: form });
    const api403 = await fetch("/api/v1/contacts", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ first_name: "Forced" }),
    });
    return [page403.status, api403.status];
  });
  assert.deepEqual(status, [403, 403]);
  const resp = await page.goto(server.base + "/import");
  assert.equal(resp.status(), 403);
  await page.getByText("Your role does not allow this.").waitFor();
  await shot(page, "08-read-only-forbidden");
});

test(`[${backend}] no script errors and no Content-Security-Policy violations on any page`, () => {
  assert.deepEqual(consoleErrors, []);
});
