// Entry for the runtimes that run a script file (Node, Bun, Deno):
//   <runtime> conformance/run-cli.js <JWKS server base URL> [case name RegExp]
// Prints one JSON line: { runtime, results: { case: "pass" | "fail: ..." }, ms, totalMs }.
import { runSuite } from './suite.js';

const g = globalThis;
const args = g.Deno !== undefined ? g.Deno.args : g.process.argv.slice(2);
const out = await runSuite({ baseURL: args[0], only: args[1] ? new RegExp(args[1]) : undefined });
console.log(JSON.stringify(out));
// Idle keep-alive connections must not hold the process open.
if (g.Deno !== undefined) g.Deno.exit(0);
else g.process.exit(0);
