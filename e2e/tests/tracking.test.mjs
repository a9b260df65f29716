// Tracking end to end, against a real `leadline serve`: a real Segment SDK (@segment/analytics-node)
// pointed at Leadline; a server killed with SIGKILL during a load keeps every event it
// acknowledged, once; and a visitor of a test site on another port, browsing with the script
// tag and submitting a form, becomes a known, attributed, scored lead seen in the browser.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";

import { Analytics } from "@segment/analytics-node";
import { Webhook } from "standardwebhooks";

import { api, backend, ownStore, shot, signIn, startBrowser, startServer, until } from "../lib/harness.mjs";

async function contactByEmail(base, token, email) {
  const found = await api(base, token, "GET", `/api/v1/contacts?q=${encodeURIComponent(email)}`);
  return found.items[0];
}

test(`[${backend}] a Segment SDK sends to Leadline by changing the host`, async () => {
  const store = ownStore("sdk");
  const server = await startServer(store);
  try {
    const site = await api(server.base, store.token, "POST", "/api/v1/sites", { name: "App backend" });
    const analytics = new Analytics({ writeKey: site.write_key, host: server.base, flushAt: 3, flushInterval: 200 });
    const errors = [];
    analytics.on("error", (e) => errors.push(e));
    analytics.identify({
      userId: "acct-314",
      anonymousId: "device-1",
      traits: { email: "marta.rossi@example.it", firstName: "Marta", lastName: "Rossi", title: "Head of Growth" },
    });
    analytics.page({ anonymousId: "device-1", name: "Pricing", properties: { url: "https://app.example.it/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=autumn" } });
    analytics.track({ userId: "acct-314", event: "Form Submitted", properties: { form: "demo request" } });
    analytics.track({ userId: "acct-314", event: "Order Completed", properties: { revenue: 420, currency: "EUR" } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    assert.deepEqual(errors, [], "the SDK was told every batch was taken");

    const contact = await until("the SDK's user as a lead", async () => {
      const c = await contactByEmail(server.base, store.token, "marta.rossi@example.it");
      return c && c.lifecycle_stage === "lead" ? c : null;
    });
    assert.equal(contact.first_name, "Marta");
    assert.equal(contact.job_title, "Head of Growth");
    assert.equal(contact.original_source, "email");
    assert.equal(contact.first_touch_campaign, "autumn");
    assert.ok(JSON.stringify(contact.external_ids).includes("acct-314"));
    const timeline = await api(server.base, store.token, "GET", `/api/v1/activities?contact_id=${contact.id}&limit=50`);
    const kinds = timeline.items.map((a) => a.type).sort();
    for (const k of ["form_submission", "identified", "page_view", "purchase"]) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    const events = await api(server.base, store.token, "GET", `/api/v1/sites/${site.id}/events`);
    assert.equal(events.items.length, 4);
    assert.ok(events.items.every((e) => e.context?.library?.name === "@segment/analytics-node"));
  } finally {
    await server.stop();
    store.drop();
  }
});

test(`[${backend}] a server killed during a load keeps every event it acknowledged, once`, async () => {
  const store = ownStore("sigkill");
  let server = await startServer(store);
  try {
    const site = await api(server.base, store.token, "POST", "/api/v1/sites", { name: "Load" });
    const auth = "Basic " + Buffer.from(site.write_key + ":").toString("base64");
    const acked = new Set();
    let sent = 0;
    let stopping = false;
    const worker = async (w) => {
      for (let b = 0; !stopping; b++) {
        const batch = Array.from({ length: 100 }, (_, i) => ({
          type: "page",
          anonymousId: `visitor-${w}-${i % 10}`,
          messageId: `w${w}-b${b}-${i}`,
          properties: { url: `https://load.example/p/${i}` },
        }));
        sent += batch.length;
        try {
          const r = await fetch(server.base + "/v1/batch", {
            method: "POST",
            headers: { authorization: auth, "content-type": "application/json" },
            body: JSON.stringify({ batch }),
          });
          if (r.status === 200) for (const m of batch) acked.add(m.messageId);
          else if (r.status !== 503) throw new Error(`batch answered ${r.status}: ${await r.text()}`);
        } catch (e) {
          if (!stopping) throw e;
          return; // The server died under this request: not acknowledged.
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await until("some acknowledgements", () => acked.size >= 5_000, 60);
    stopping = true;
    await server.stop("SIGKILL", { keep: true });
    await Promise.all(workers);
    const before = acked.size;
    server = await startServer(store);
    const seen = new Map();
    let after = 0;
    for (;;) {
      const page = await api(server.base, store.token, "GET", `/api/v1/sites/${site.id}/events?limit=1000&after=${after}`);
      for (const e of page.items) seen.set(e.messageId, (seen.get(e.messageId) ?? 0) + 1);
      if (page.next_after == null) break;
      after = page.next_after;
    }
    const missing = [...acked].filter((id) => !seen.has(id));
    const twice = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(missing, [], `${missing.length} acknowledged events lost (of ${before})`);
    assert.deepEqual(twice, [], "each kept once");
    assert.ok(seen.size <= sent);
    console.log(`# sigkill: ${before} acknowledged, ${seen.size} kept, ${sent} sent`);
  } finally {
    await server.stop();
    store.drop();
  }
});

/** A website of its own on another port, with Leadline's script tag and `site.writeKey`. */
function testSite(leadline) {
  const site = { writeKey: "" };
  const html = (path) => {
  const tag = `<script async src="${leadline}/t.js" data-write-key="${site.writeKey}"></script>`;
  const pages = {
    "/landing": `<!doctype html><html><head><title>Nord Freight · Launch</title>${tag}</head><body>
      <h1>Freight, tracked</h1><a href="/pricing" data-leadline-cta="see-pricing">See pricing</a></body></html>`,
    "/pricing": `<!doctype html><html><head><title>Pricing</title>${tag}</head><body>
      <h1>Pricing</h1>
      <form id="demo"><label>E-mail <input name="email" type="email" required></label>
      <label>First name <input name="first_name"></label><button type="submit">Book a demo</button></form>
      <p id="done" hidden>Thanks!</p>
      <script>
        document.getElementById("demo").addEventListener("submit", function (e) {
          e.preventDefault();
          var f = e.target;
          leadline.identify({ email: f.email.value, firstName: f.first_name.value });
          leadline.track("Form Submitted", { form: "demo" });
          leadline.flush();
          document.getElementById("done").hidden = false;
        });
      </script></body></html>`,
  };
  return pages[path];
  };
  const http = createServer((req, res) => {
    const page = html(new URL(req.url, "http://x").pathname);
    res.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(page ?? "not here");
  });
  return new Promise((ok) => http.listen(0, "127.0.0.1", () => ok({ http, site, origin: `http://127.0.0.1:${http.address().port}` })));
}

test(`[${backend}] a visit to a site with the script tag becomes a known, attributed, scored lead`, async () => {
  const store = ownStore("visit");
  const server = await startServer(store);
  const { http, site: served, origin: realOrigin } = await testSite(server.base);
  const browser = await startBrowser();
  try {
    const site = await api(server.base, store.token, "POST", "/api/v1/sites", { name: "Nord Freight", allowed_origins: [realOrigin] });
    served.writeKey = site.write_key;
    {
      const page = await browser.newPage();
      await page.goto(`${realOrigin}/landing?utm_source=newsletter&utm_medium=email&utm_campaign=launch`, { referer: "https://mail.example.org/" });
      await page.waitForFunction(() => window.leadline && window.leadline._ready);
      await page.getByRole("link", { name: "See pricing" }).click();
      await page.waitForURL(`${realOrigin}/pricing`);
      await page.waitForFunction(() => window.leadline && window.leadline._ready);
      await page.getByLabel("E-mail").fill("jan.kowalski@nordfreight.pl");
      await page.getByLabel("First name").fill("Jan");
      await page.getByRole("button", { name: "Book a demo" }).click();
      await page.getByText("Thanks!").waitFor();

      // The first page's beacon may arrive after the second page's events: wait for both.
      const contact = await until("the visitor as a lead with its first touch", async () => {
        const c = await contactByEmail(server.base, store.token, "jan.kowalski@nordfreight.pl");
        return c && c.lifecycle_stage === "lead" && c.original_source ? c : null;
      });
      assert.equal(contact.original_source, "email");
      assert.equal(contact.first_touch_source, "newsletter");
      assert.equal(contact.first_touch_campaign, "launch");
      assert.ok(contact.scores.engagement > 0, JSON.stringify(contact.scores));
      const timeline = await api(server.base, store.token, "GET", `/api/v1/activities?contact_id=${contact.id}&limit=50`);
      const kinds = timeline.items.map((a) => a.type);
      assert.ok(kinds.filter((k) => k === "page_view").length >= 2, `the anonymous page views are the contact's: ${kinds}`);
      assert.ok(kinds.includes("x_cta_clicked"), `the marked click: ${kinds}`);

      // Seen in Leadline: the contact's page says where they came from.
      const app = await browser.newPage();
      await signIn(app, server.base, store.email, store.password);
      await app.goto(`${server.base}/contacts/${contact.id}`);
      const source = app.locator("[data-source]");
      await source.getByText("newsletter / email / launch").first().waitFor();
      await source.getByText("E-mail", { exact: true }).waitFor();
      assert.equal(await app.locator("[data-visitor]").count(), 1);
      await app.getByText("Lead", { exact: true }).first().waitFor();
      await shot(app, "tracked-contact");
      await app.goto(`${server.base}/settings/sites`);
      await app.locator("[data-snippet]").getByText(site.write_key).waitFor();
      await shot(app, "sites");
    }
  } finally {
    http.close();
    await browser.close();
    await server.stop();
    store.drop();
  }
});

test(`[${backend}] webhooks reach a receiver that verifies them with the Standard Webhooks library`, async () => {
  const store = ownStore("hooks");
  const server = await startServer(store);
  const verified = [];
  const refused = [];
  let secret = "";
  let requests = 0;
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests += 1;
      try {
        const event = new Webhook(secret).verify(body, req.headers);
        // The first request is answered 500: Leadline tries again.
        if (requests === 1) {
          res.writeHead(500).end();
          return;
        }
        verified.push({ id: req.headers["webhook-id"], event });
        res.writeHead(204).end();
      } catch (e) {
        refused.push(String(e));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
  try {
    const url = `http://127.0.0.1:${receiver.address().port}/leadline`;
    const hook = await api(server.base, store.token, "POST", "/api/v1/webhooks", { url, events: ["form.submitted", "contact.created"] });
    secret = hook.secret;
    const site = await api(server.base, store.token, "POST", "/api/v1/sites", { name: "Hooks", allowed_origins: ["https://acme.io"] });
    await api(server.base, store.token, "POST", "/api/v1/forms", {
      name: "Contact us", slug: "contact-us", site_id: site.id,
      fields: [{ target: "email", label: "E-mail", kind: "email", required: true }, { target: "first_name", label: "Name" }],
    });
    const r = await fetch(`${server.base}/f/contact-us`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "hook.me@acme.io", first_name: "Hook", website_url: "" }),
    });
    assert.equal(r.status, 200);
    const got = await until("both events, verified", () => {
      const kinds = verified.map((v) => v.event.type);
      return kinds.includes("form.submitted") && kinds.includes("contact.created") ? kinds : null;
    }, 60);
    assert.deepEqual(refused, [], "every request verifies");
    const form = verified.find((v) => v.event.type === "form.submitted").event;
    assert.equal(form.data.properties.form, "Contact us");
    const log = await api(server.base, store.token, "GET", `/api/v1/webhooks/${hook.id}/deliveries`);
    assert.ok(log.some((d) => d.attempts === 2 && d.status === "delivered"), `one delivered on its second attempt: ${JSON.stringify(log)}`);
    console.log(`# webhooks: ${got.join(", ")} verified with standardwebhooks after ${requests} requests`);
  } finally {
    receiver.close();
    await server.stop();
    store.drop();
  }
});
