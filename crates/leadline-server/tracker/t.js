/* Leadline's tracker: page views (address, title, referrer, campaign parameters, time on
   page), clicks on elements marked data-leadline-cta, leadline.track(name, properties) and
   leadline.identify({email, ...}), sent to the Leadline that serves this script as Segment
   tracking API messages. One tag:
     <script async src="https://leadline.example/t.js" data-write-key="KEY"></script>
   data-consent="required": no cookie (and nothing sent) until leadline.consent(true).
   data-dnt="ignore": send even when the browser asks not to be tracked. */
(function (w, d) {
  "use strict";
  var me = d.currentScript;
  if (!me || w.leadline && w.leadline._ready) return;
  var key = me.getAttribute("data-write-key") || "";
  var host = me.getAttribute("data-host") || me.src.replace(/\/t\.js(\?.*)?$/, "");
  var needConsent = me.getAttribute("data-consent") === "required";
  var dnt = me.getAttribute("data-dnt") !== "ignore" &&
    (navigator.doNotTrack === "1" || w.doNotTrack === "1" || navigator.globalPrivacyControl === true);
  var COOKIE = "leadline_aid", queue = [], timer = 0, started = Date.now();
  var consented = !needConsent || readCookie("leadline_consent") === "1";

  function readCookie(name) {
    var m = d.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function writeCookie(name, value) {
    d.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=34560000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  function uuid() {
    if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === "x" ? r : r & 3 | 8).toString(16);
    });
  }
  var memoryId = null;
  function anonymousId() {
    var id = readCookie(COOKIE);
    if (!id) {
      id = memoryId || uuid();
      memoryId = id;
      if (consented) writeCookie(COOKIE, id);
    }
    return id;
  }
  function campaign() {
    var out = {}, q = new URLSearchParams(location.search), any = false;
    [["source", "utm_source"], ["medium", "utm_medium"], ["name", "utm_campaign"],
     ["term", "utm_term"], ["content", "utm_content"]].forEach(function (p) {
      var v = q.get(p[1]);
      if (v) { out[p[0]] = v; any = true; }
    });
    return any ? out : undefined;
  }
  function context() {
    return {
      page: { url: location.href, path: location.pathname, title: d.title, referrer: d.referrer, search: location.search },
      campaign: campaign(),
      userAgent: navigator.userAgent,
      locale: navigator.language,
      library: { name: "leadline.js", version: "1" }
    };
  }
  function send(msg) {
    if (dnt || !consented) return;
    msg.anonymousId = anonymousId();
    msg.messageId = uuid();
    msg.timestamp = new Date().toISOString();
    msg.context = context();
    queue.push(msg);
    if (!timer) timer = setTimeout(flush, 200);
  }
  function flush(leaving) {
    timer = 0;
    if (!queue.length) return;
    var body = JSON.stringify({ batch: queue.splice(0, 100), sentAt: new Date().toISOString(), writeKey: key });
    var url = host + "/v1/batch";
    // text/plain keeps it a simple request (no preflight); the write key is in the body.
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
    } else {
      fetch(url, { method: "POST", body: body, keepalive: true, headers: { "Content-Type": "text/plain" } })
        .catch(function () {});
    }
    if (queue.length) timer = setTimeout(flush, 0);
  }

  var api = {
    _ready: true,
    page: function (properties) {
      started = Date.now();
      send({ type: "page", properties: properties || {} });
    },
    track: function (event, properties) {
      send({ type: "track", event: String(event), properties: properties || {} });
    },
    identify: function (traits, userId) {
      var msg = { type: "identify", traits: traits || {} };
      if (userId) msg.userId = String(userId);
      send(msg);
    },
    consent: function (granted) {
      consented = !!granted;
      writeCookie("leadline_consent", granted ? "1" : "0");
      if (granted) anonymousId();
      else d.cookie = COOKIE + "=; path=/; max-age=0";
    },
    flush: function () { flush(false); }
  };
  var waiting = w.leadline && w.leadline.q || [];
  w.leadline = api;

  d.addEventListener("click", function (e) {
    var el = e.target && e.target.closest && e.target.closest("[data-leadline-cta]");
    if (el) {
      api.track("CTA Clicked", { cta: el.getAttribute("data-leadline-cta"), text: (el.textContent || "").trim().slice(0, 200), href: el.href || undefined });
      flush(true);
    }
  }, true);
  d.addEventListener("visibilitychange", function () {
    if (d.visibilityState === "hidden") {
      api.track("Page Left", { seconds_on_page: Math.round((Date.now() - started) / 1000), url: location.href });
      flush(true);
    }
  });
  // Leadline forms embedded in this page learn who is visiting and from which campaign.
  function decorateForms() {
    var frames = d.querySelectorAll("iframe[data-leadline-form]");
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.getAttribute("data-leadline-ready")) continue;
      var u = new URL(f.src, location.href), q = new URLSearchParams(location.search);
      if (!dnt && consented) u.searchParams.set("aid", anonymousId());
      u.searchParams.set("page", location.href);
      u.searchParams.set("ref", d.referrer);
      ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (k) {
        if (q.get(k)) u.searchParams.set(k, q.get(k));
      });
      f.setAttribute("data-leadline-ready", "1");
      f.src = u.toString();
    }
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", decorateForms);
  else decorateForms();
  api.page();
  waiting.forEach(function (call) { api[call[0]] && api[call[0]].apply(api, call[1]); });
})(window, document);
