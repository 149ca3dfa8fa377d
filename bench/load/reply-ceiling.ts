/**
 * The ceiling a Node daemon speaking this protocol can reach here: a server that does no work at
 * all, answering each connection with a fixed, successful GetQuoteEx reply carrying a quote of
 * BYTES zeros, and closing, as the AESM protocol requires (one request per connection). It runs
 * THREADS event loops on one listening socket, as the quote service does.
 * Usage: reply-ceiling SOCKET BYTES THREADS
 */
import { createServer, type Socket } from "node:net";
import { Worker } from "node:worker_threads";
import { encodeFrame, encodeResponse } from "../../src/protocol/index.ts";

const [socketPath, bytes, threads] = process.argv.slice(2);
const reply = encodeFrame(encodeResponse("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(Number(bytes)) }));
const serve = (socket: Socket) => {
  socket.once("data", () => socket.end(reply));
  socket.on("error", () => undefined);
};
// The other loops accept on the same descriptor; this process only ever ends with SIGTERM.
const workerSource = `
const { createServer } = require("node:net");
const { workerData } = require("node:worker_threads");
const reply = Buffer.from(workerData.reply);
createServer((socket) => {
  socket.once("data", () => socket.end(reply));
  socket.on("error", () => undefined);
}).listen({ fd: workerData.fd, backlog: 512 });
`;
const server = createServer(serve).listen({ path: socketPath, backlog: 512 }, () => {
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  for (let i = 1; i < Number(threads ?? 1); i++) new Worker(workerSource, { eval: true, workerData: { fd, reply } });
});
process.once("SIGTERM", () => process.exit(0));
