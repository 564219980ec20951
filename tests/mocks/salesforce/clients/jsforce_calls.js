// jsforce 3, unchanged, against the Salesforce mock: each call's outcome as one JSON line.
// Run as: node jsforce_calls.js MOCK_URL (with NODE_PATH at the npm folder's node_modules).
const jsforce = require("jsforce");

const [mock] = process.argv.slice(2);
const app = { clientId: "siasim-salesforce-client", clientSecret: "siasim-salesforce-secret",
  loginUrl: mock, redirectUri: "http://localhost:1717/callback" };
const user = "admin@siasim.example";
const password = "siasim-password";
const refreshToken = "5Aep861SiasimMockRefreshTokenForTheApiUser.0000000000000000000000000";
const out = {};

async function step(name, run) {
  try {
    out[name] = await run();
  } catch (err) {
    out[name] = { error: err.name, message: err.message };
  }
}

async function main() {
  const conn = new jsforce.Connection({ oauth2: app, version: "59.0" });
  await step("login", async () => (await conn.login(user, password)).organizationId);
  await step("query", async () => {
    const result = await conn.query("SELECT Id, Name, (SELECT LastName FROM Contacts) FROM Account");
    return { totalSize: result.totalSize, records: result.records };
  });
  await step("queryMore", async () => {
    let result = await conn.query("SELECT Id FROM Task");
    const pages = [result.records.length];
    while (!result.done) {
      result = await conn.queryMore(result.nextRecordsUrl);
      pages.push(result.records.length);
    }
    return pages;
  });
  await step("childPages", async () => {
    const lena = (await conn.query("SELECT WhoId FROM Task LIMIT 1")).records[0].WhoId;
    // a child list past its page: jsforce follows its own nextRecordsUrl with autoFetch
    const soql = `SELECT Id, (SELECT Subject FROM Tasks) FROM Lead WHERE Id = '${lena}'`;
    const first = (await conn.query(soql)).records[0].Tasks;
    const fetched = (await conn.query(soql, { autoFetch: true })).records[0].Tasks;
    return { first: [first.totalSize, first.done, first.records.length, !!first.nextRecordsUrl],
      fetched: [fetched.totalSize, fetched.done, fetched.records.length,
        new Set(fetched.records.map((t) => t.Subject)).size] };
  });
  await step("aggregate", async () => (await conn.query(
    "SELECT Status, COUNT(Id) n FROM Task GROUP BY Status")).records);
  await step("search", async () => conn.search("FIND {lena*} IN NAME FIELDS RETURNING Lead(Id, Name)"));
  await step("identity", async () => {
    const id = await conn.identity();
    return { username: id.username, user_id: id.user_id, organization_id: id.organization_id };
  });
  await step("userinfo", async () => {
    const info = await conn.request("/services/oauth2/userinfo");
    return { preferred_username: info.preferred_username, sub: info.sub };
  });
  const oauthToken = conn.accessToken;
  await step("logout", async () => { await conn.logout(); return conn.accessToken || null; });
  await step("afterLogout", async () => {
    const stale = new jsforce.Connection({ instanceUrl: mock, accessToken: oauthToken, version: "59.0" });
    await stale.query("SELECT Id FROM Lead");
    return "still works";
  });

  // a session that has expired, and the refresh token: jsforce refreshes by itself
  await step("refresh", async () => {
    const refreshing = new jsforce.Connection({ oauth2: app, instanceUrl: mock, version: "59.0",
      accessToken: "00D000000000000!expired", refreshToken });
    let refreshed = null;
    refreshing.on("refresh", (accessToken) => { refreshed = accessToken; });
    const result = await refreshing.query("SELECT COUNT() FROM Lead");
    return { totalSize: result.totalSize, refreshed: Boolean(refreshed) };
  });
  await step("badRefresh", async () => {
    const oauth2 = new jsforce.OAuth2(app);
    await oauth2.refreshToken("5Aep861nope");
    return "accepted";
  });

  // the web-server flow: the authorization URL redirects with a code at once
  await step("authorizationCode", async () => {
    const oauth2 = new jsforce.OAuth2(app);
    const response = await fetch(oauth2.getAuthorizationUrl({ state: "s1" }), { redirect: "manual" });
    const location = new URL(response.headers.get("location"));
    const coded = new jsforce.Connection({ oauth2: app, version: "59.0" });
    await coded.authorize(location.searchParams.get("code"));
    const count = (await coded.query("SELECT COUNT() FROM Lead")).totalSize;
    const issued = coded.refreshToken;
    const refreshed = (await new jsforce.OAuth2(app).refreshToken(issued)).access_token;
    await coded.logout(true); // revokes the refresh token
    let revoked;
    try { await new jsforce.OAuth2(app).refreshToken(issued); revoked = false; } catch (err) { revoked = err.name; }
    return { state: location.searchParams.get("state"), count, refreshToken: issued.slice(0, 7),
             refreshed: Boolean(refreshed), revoked };
  });

  // the SOAP login, and its logout
  await step("soap", async () => {
    const soap = new jsforce.Connection({ loginUrl: mock, version: "59.0" });
    await soap.login(user, password);
    const count = (await soap.query("SELECT COUNT() FROM Lead")).totalSize;
    const token = soap.accessToken;
    await soap.logout();
    const stale = new jsforce.Connection({ instanceUrl: mock, accessToken: token, version: "59.0" });
    let after;
    try { await stale.query("SELECT Id FROM Lead"); after = "still works"; } catch (err) { after = err.name; }
    return { count, after };
  });
  await step("badLogin", async () => {
    const soap = new jsforce.Connection({ loginUrl: mock, version: "59.0" });
    await soap.login(user, "wrong");
    return "accepted";
  });
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
