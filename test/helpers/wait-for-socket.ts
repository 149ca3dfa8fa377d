import { connect } from "node:net";

/** Resolves once something accepts connections on `socketPath` (for daemons started as processes). */
export async function waitForSocket(socketPath: string, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const listening = await new Promise<boolean>((resolve) => {
      const probe = connect(socketPath, () => {
        probe.destroy();
        resolve(true);
      });
      probe.on("error", () => resolve(false));
    });
    if (listening) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${socketPath}`);
}
