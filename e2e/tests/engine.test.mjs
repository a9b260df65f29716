// Two real `leadline serve` processes on one PostgreSQL database share the engine: activities
// stored through either are applied once (each stage move once in the history and once on the
// timeline), and when the server holding the engine's lease is killed, the other takes over.
import assert from "node:assert/strict";
import { test } from "node:test";

import { backend, cli, freshDatabase, startServer, until } from "../lib/harness.mjs";

test(`[${backend}] two servers share the engine: each move applied once, and a killed server's work taken over`, { skip: backend !== "postgres" && "needs PostgreSQL" }, async () => {
  const db = freshDatabase("engine");
  cli({ databaseUrl: db.url }, ["migrate"]);
  cli({ databaseUrl: db.url }, ["user", "create", "--email", "engine@leadline.test", "--role", "admin"], "a long password 123\n");
  const token = cli({ databaseUrl: db.url }, ["token", "create", "--user", "engine@leadline.test", "--name", "e2e", "--scope", "write"]);
  const [a, b] = [await startServer({ databaseUrl: db.url }), await startServer({ databaseUrl: db.url })];
  try {
    const call = async (server, method, path, body) => {
      const r = await fetch(server.base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    const company = await call(a, "POST", "/api/v1/companies", { name: "Nord Freight", employee_count: 400 });
    const ids = [];
    for (let i = 0; i < 12; i++) {
      const c = await call(i % 2 ? a : b, "POST", "/api/v1/contacts", {
        first_name: `Lead ${i}`,
        job_title: "Head of Logistics",
        emails: [`lead${i}@nord-freight.example`],
        country: "PL",
        company_id: company.id,
        lifecycle_stage: "subscriber",
      });
      ids.push(c.id);
    }
    // Forms through both servers at once: every contact becomes a lead, once.
    await Promise.all(ids.map((id, i) => call(i % 2 ? b : a, "POST", "/api/v1/activities", { type: "form_submission", contact_id: id })));
    const stage = async (server, id) => (await call(server, "GET", `/api/v1/contacts/${id}`)).lifecycle_stage;
    for (const id of ids) await until(`${id} to be a lead`, async () => (await stage(b, id)) === "lead");

    // A crash: the server that holds the lease may be either; kill one, keep writing through
    // the other, and the pricing visits still make MQLs (within the 10 s lease).
    await a.stop("SIGKILL");
    const visit = (id) => ({ type: "page_view", contact_id: id, properties: { url: "https://nord.example/pricing" } });
    for (const id of ids) await call(b, "POST", "/api/v1/activities", [visit(id), visit(id)]);
    for (const id of ids) await until(`${id} to be an MQL`, async () => (await stage(b, id)) === "mql");

    for (const id of ids) {
      const history = await call(b, "GET", `/api/v1/contacts/${id}/history`);
      const moves = history.filter((h) => h.field === "lifecycle_stage" && h.cause === "rule").map((h) => h.to);
      assert.deepEqual(moves, ["lead", "mql"], `${id}: each move once`);
      const timeline = await call(b, "GET", `/api/v1/contacts/${id}/timeline?type=stage_changed`);
      assert.equal(timeline.items.length, 2, `${id}: once on the timeline`);
    }
  } finally {
    await a.stop();
    await b.stop();
    if (!process.env.LEADLINE_E2E_KEEP) db.drop();
  }
});
