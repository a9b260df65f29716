import { chromium } from "playwright-core";
const [,, base, email, password, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-background-networking"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on("console", (m) => console.log("console:", m.text()));
await page.goto(base + "/login");
await page.fill("#email", email);
await page.fill("#password", password);
await page.click("button[type=submit]");
await page.waitForLoadState();
for (const p of paths) {
  const [path, w] = p.split("@");
  if (w) await page.setViewportSize({ width: Number(w), height: 900 });
  const r = await page.goto(base + path);
  console.log(path, r.status());
  await page.screenshot({ path: "/tmp/shot-" + path.replace(/[^a-z0-9]/gi, "_") + (w || "") + ".png", fullPage: false });
}
await browser.close();
