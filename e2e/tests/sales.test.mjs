// The sales screens in a real browser: a deal moved on the pipeline board from the keyboard
// alone (focus, Space, arrow, Space) and by dragging it with the mouse, each move kept; the
// forecast and a funnel drawn as SVG beside their tables.
import assert from "node:assert/strict";
import { test } from "node:test";

import { api, backend, ownStore, shot, signIn, startBrowser, startServer } from "../lib/harness.mjs";

test(`[${backend}] a deal moves on the board from the keyboard and with the mouse`, async () => {
  const store = ownStore("board");
  const server = await startServer(store);
  const browser = await startBrowser();
  try {
    const deal = await api(server.base, store.token, "POST", "/api/v1/deals", {
      name: "Flota 2027", stage: "appointment_scheduled", amount: 1_200_000, currency: "EUR", close_date: "2027-01-15",
    });
    const page = await browser.newPage();
    await signIn(page, server.base, store.email, store.password);
    await page.goto(server.base + "/deals/board");
    const card = () => page.locator(`.deal-card[data-deal="${deal.id}"]`);
    await card().focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowRight");
    await assert.doesNotReject(page.locator('.board-column.drop-target[data-stage="qualified_to_buy"]').waitFor());
    await Promise.all([page.waitForURL(/\/deals\/board/), page.keyboard.press("Space")]);
    await page.locator('.board-column[data-stage="qualified_to_buy"] .deal-card').first().waitFor();
    let stored = await api(server.base, store.token, "GET", `/api/v1/deals/${deal.id}`);
    assert.equal(stored.stage, "qualified_to_buy", "moved from the keyboard");

    await Promise.all([
      page.waitForURL(/\/deals\/board/),
      // Held by its edge, as a person grabs a card (not by the form in its middle).
      card().dragTo(page.locator('.board-column[data-stage="presentation_scheduled"]'), { sourcePosition: { x: 6, y: 4 } }),
    ]);
    await page.locator('.board-column[data-stage="presentation_scheduled"] .deal-card').first().waitFor();
    stored = await api(server.base, store.token, "GET", `/api/v1/deals/${deal.id}`);
    assert.equal(stored.stage, "presentation_scheduled", "moved with the mouse");
    const sums = await page.locator('.board-column[data-stage="presentation_scheduled"] .column-sums').innerText();
    assert.match(sums, /12,000\.00/, sums);
    await shot(page, "board");

    await page.goto(server.base + "/forecast?from=2027-01&to=2027-03");
    await page.locator("[data-forecast] svg").waitFor();
    assert.match(await page.locator("[data-forecast] table").innerText(), /2027-01/);
    await shot(page, "forecast");
    await page.goto(server.base + "/analytics?step=page_view&step=purchase");
    await page.locator("[data-funnel-form]").waitFor();
    await shot(page, "analytics");
  } finally {
    await browser.close();
    await server.stop();
    store.drop();
  }
});

test(`[${backend}] a healthy customer is offered an upsell from the health page`, async () => {
  const store = ownStore("health");
  const server = await startServer(store);
  const browser = await startBrowser();
  try {
    const customer = await api(server.base, store.token, "POST", "/api/v1/contacts", {
      first_name: "Zofia", last_name: "Wiśniewska", lifecycle_stage: "customer",
    });
    const day = 86_400_000;
    const events = Array.from({ length: 12 }, (_, d) => ({
      type: "product_event", contact_id: customer.id, properties: { name: "active_day" },
      occurred_at: new Date(Date.now() - d * 2 * day).toISOString(),
    }));
    events.push({ type: "purchase", contact_id: customer.id, occurred_at: new Date(Date.now() - 3 * day).toISOString() });
    for (const feature of ["reports", "imports", "api"]) {
      events.push({ type: "product_event", contact_id: customer.id, properties: { name: "feature_used", feature } });
    }
    await api(server.base, store.token, "POST", "/api/v1/activities", events);
    // The engine scores her health in the background.
    let report;
    for (let i = 0; i < 50; i++) {
      report = await api(server.base, store.token, "GET", "/api/v1/reports/health?flag=upsell_candidate");
      if (report.items.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(report.items[0]?.contact_id, customer.id, JSON.stringify(report));

    const page = await browser.newPage();
    await signIn(page, server.base, store.email, store.password);
    await page.goto(server.base + "/analytics/health");
    const row = page.locator(`[data-upsell] tr[data-contact="${customer.id}"]`);
    await row.waitFor();
    await shot(page, "health");
    await Promise.all([page.waitForURL(/\/deals\/[^/]+$/), row.getByRole("button").click()]);
    const id = new URL(page.url()).pathname.split("/").pop();
    const deal = await api(server.base, store.token, "GET", `/api/v1/deals/${id}`);
    assert.equal(deal.pipeline, "upsell");
    assert.deepEqual(deal.contact_ids, [customer.id]);
    const after = await api(server.base, store.token, "GET", "/api/v1/reports/health?flag=expanding");
    assert.equal(after.items[0]?.contact_id, customer.id, "on an upsell deal now");
  } finally {
    await browser.close();
    await server.stop();
    store.drop();
  }
});
