// A minimal integration behind the siasim driver protocol, in Node 20 with its standard
// library only. It shows the protocol's shape, not a Sales Insight Actions: it answers a
// few methods (the settings, the fixed field list, refusals to edit people or remap
// fields) and 501 "not supported" for the rest, so the kit reports those rules as not
// applicable.
//
//   node examples/node-driver/server.js [PORT]     (PORT 0 picks a free one)
//   siasim verify --sut http://127.0.0.1:PORT
//
// The protocol: `siasim driver-spec` prints its OpenAPI document.
"use strict";

const http = require("node:http");
const crypto = require("node:crypto");

const PROTOCOL = { protocol: "siasim-driver", version: 1, name: "node example" };

// The 13 fields of P-FIELDS, shown to the admin before the data sync starts (S-INITIATE).
const FIELDS = [
  "First Name", "Last Name", "Salesforce Contact ID", "Salesforce Lead ID",
  "Salesforce Account ID", "Salesforce Opportunity ID", "Marketo ID", "Company", "Title",
  "Email", "Phone Number", "LinkedIn URL", "Source",
];

// The switches of S-SETTINGS and their defaults.
const DEFAULT_SETTINGS = {
  email_logging: true,
  call_logging: true,
  task_sync: false,
  unsubscribe_sync: true,
  marketo_unsubscribe_check: false,
};

const sessions = new Map(); // session id -> { endpoints, settings }

const ok = (detail = {}) => ({ ok: true, error: null, detail });
const refused = (error) => ({ ok: false, error, detail: {} });

// One handler per method this example has; every other method answers 501.
const METHODS = {
  configure(session, { endpoints }) {
    session.endpoints = endpoints; // the kit's Marketo and Salesforce mocks
    return null;
  },
  settings(session) {
    return { ...session.settings };
  },
  set_setting(session, { name, value }) {
    if (!(name in session.settings)) return refused(`there is no setting '${name}'`);
    if (typeof value !== "boolean") {
      return refused(`the setting '${name}' is on or off (true or false), not ${JSON.stringify(value)}`);
    }
    session.settings[name] = value;
    return ok({ value });
  },
  sync_fields() {
    return FIELDS;
  },
  people() {
    return []; // this example has no people sync: it holds nobody
  },
  create_person() {
    return refused("people are created in Marketo or Salesforce, never in SIA");
  },
  edit_person() {
    return refused("people are edited in Marketo or Salesforce, never in SIA");
  },
  configure_field_mapping() {
    return refused("the synced fields and their mapping are fixed and cannot be configured");
  },
};

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
    request.on("error", reject);
  });
}

async function handle(request, response) {
  const path = new URL(request.url, "http://localhost").pathname;
  if (request.method === "GET" && path === "/") return send(response, 200, PROTOCOL);
  if (request.method !== "POST") {
    return send(response, 405, { error: "method-not-allowed", message: `${request.method} ${path}` });
  }
  let body;
  try {
    body = await readJson(request);
  } catch {
    return send(response, 400, { error: "bad-request", message: "the body is not JSON" });
  }
  if (path === "/sessions") {
    const id = crypto.randomUUID();
    sessions.set(id, { endpoints: null, settings: { ...DEFAULT_SETTINGS } });
    return send(response, 201, { session: id });
  }
  const match = /^\/sessions\/([^/]+)\/([a-z-]+)$/.exec(path);
  if (!match) return send(response, 404, { error: "not-found", message: `no route ${path}` });
  const [, id, name] = match;
  const session = sessions.get(id);
  if (!session) return send(response, 404, { error: "unknown-session", message: `no session ${id}` });
  const method = name.replaceAll("-", "_");
  if (method === "close") {
    sessions.delete(id);
    return send(response, 200, { result: null });
  }
  const handler = METHODS[method];
  if (!handler) {
    return send(response, 501, { error: "not-supported", message: `the node example has no ${method}` });
  }
  try {
    return send(response, 200, { result: handler(session, body) });
  } catch (error) {
    return send(response, 500, { error: "driver-failed", message: String(error) });
  }
}

const port = Number(process.argv[2] ?? process.env.PORT ?? 8404);
const host = process.env.HOST ?? "127.0.0.1";
const server = http.createServer((request, response) => {
  handle(request, response).catch((error) => send(response, 500, { error: "driver-failed", message: String(error) }));
});
server.listen(port, host, () => {
  const { port: bound } = server.address();
  console.log(`node example driver: http://${host}:${bound}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
