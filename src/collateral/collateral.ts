/**
 * The collateral a DCAP verifier needs for one quote: Intel's `sgx_ql_qve_collateral_t` fields
 * (the shape of Phala's QuoteCollateralV3 and of `collateral.json` bundles). Sources (files, a
 * PCS/PCCS, the simulated platform) produce it; the verifier only consumes it.
 */
export interface Collateral {
  /** PEM: the PCK CA (Processor or Platform) certificate, then the root. */
  readonly pckCrlIssuerChain: string;
  /** DER of the Intel SGX Root CA CRL. */
  readonly rootCaCrl: Uint8Array;
  /** DER of the PCK CRL of the quote's PCK CA. */
  readonly pckCrl: Uint8Array;
  /** PEM: the TCB Signing certificate, then the root. */
  readonly tcbInfoIssuerChain: string;
  /** The exact signed JSON text of the `tcbInfo` member, from `{` to its matching `}`. */
  readonly tcbInfo: string;
  /** 64 bytes, raw r‖s. */
  readonly tcbInfoSignature: Uint8Array;
  /** PEM: the TCB Signing certificate, then the root. */
  readonly qeIdentityIssuerChain: string;
  /** The exact signed JSON text of the `enclaveIdentity` member. */
  readonly qeIdentity: string;
  /** 64 bytes, raw r‖s. */
  readonly qeIdentitySignature: Uint8Array;
}
