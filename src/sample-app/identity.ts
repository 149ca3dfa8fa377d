import { createHash } from "node:crypto";

/** The sample app's simulated enclave identity; a relying party pins MRENCLAVE in its policy. */
export const SAMPLE_APP_IDENTITY = {
  mrEnclave: createHash("sha256").update("sgx-quote-helper sample enclave").digest(),
  mrSigner: createHash("sha256").update("sgx-quote-helper sample signer").digest(),
  isvProdId: 1,
  isvSvn: 1,
};

export const SAMPLE_APP_MRENCLAVE_HEX = SAMPLE_APP_IDENTITY.mrEnclave.toString("hex");
