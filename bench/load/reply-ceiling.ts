/**
 * The ceiling one Node event loop speaking this protocol can reach here: a server that does no work
 * at all, answering each connection with a fixed, successful GetQuoteEx reply carrying a quote of
 * BYTES zeros, and closing, as the AESM protocol requires (one request per connection).
 * Usage: reply-ceiling SOCKET BYTES
 */
import { createServer } from "node:net";
import { encodeFrame, encodeResponse } from "../../src/protocol/index.ts";

const [socketPath, bytes] = process.argv.slice(2);
const reply = encodeFrame(encodeResponse("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(Number(bytes)) }));
createServer((socket) => {
  socket.once("data", () => socket.end(reply));
  socket.on("error", () => undefined);
}).listen(socketPath);
process.once("SIGTERM", () => process.exit(0));
