/**
 * What the daemon needs from a quoting back end (the simulated platform, the DCAP quote library on
 * an SGX node, or a proxy to an existing aesmd). Inputs arrive already validated for size and
 * presence by the daemon (AESM rules: report 432 B, att key id >= 256 B and matching one of
 * `attKeyIds`, qe_report_info 960 B). Failures are thrown as `Quote3Error` with the quote3_error_t
 * code Intel's QE3 path would return; the daemon maps them to AESM codes.
 */
export interface QuoteProvider {
  /** Short name for logs ("simulated"). */
  readonly name: string;

  /** The 256-byte sgx_att_key_id_ext_t structures this provider serves, in preference order (read-only: callers must not modify them). */
  attKeyIds(): readonly Uint8Array[];

  /** QE target info (512 B) and pub_key_id (32 B) for the given key; creates the key if needed. */
  initQuote(attKeyId: Uint8Array): Promise<InitQuoteResult>;

  /** Size in bytes of the quote `getQuote` will produce for this key. */
  quoteSize(attKeyId: Uint8Array): Promise<number>;

  /** A quote for the app REPORT (and, if asked, the QE report in the returned qe_report_info). */
  getQuote(request: GetQuoteRequest): Promise<GetQuoteResult>;

  /** Releases resources (open handles, child processes). */
  close(): Promise<void>;

  /**
   * How another thread opens its own instance of this provider, for a daemon that serves on
   * several threads (objects cannot cross threads). Providers without one serve on one thread.
   */
  recipe?(): ProviderRecipe;
}

/** A module and options that open an equivalent provider in another thread. */
export interface ProviderRecipe {
  /** URL of an ES module exporting `openProvider(options): Promise<QuoteProvider>`. */
  readonly module: string;
  /** Structured-cloneable options for `openProvider`. */
  readonly options: unknown;
}

export interface InitQuoteResult {
  /** sgx_target_info_t of the QE, 512 bytes. */
  readonly targetInfo: Uint8Array;
  /** SHA-256(attestation public key || QE authentication data), 32 bytes. */
  readonly pubKeyId: Uint8Array;
}

export interface GetQuoteRequest {
  /** sgx_report_t of the app enclave targeted at the QE, 432 bytes. */
  readonly report: Uint8Array;
  /** 256-byte sgx_att_key_id_ext_t. */
  readonly attKeyId: Uint8Array;
  /** sgx_qe_report_info_t, 960 bytes, when the caller wants a QE report. */
  readonly qeReportInfo?: Uint8Array;
  /**
   * Where to write the quote (at least `quoteSize` bytes), as QE3 writes into the caller's
   * buffer: the daemon passes the quote's place in its reply frame, which it reuses once the
   * reply is sent, so neither the buffer nor the returned quote may be kept past the call.
   * Without it the provider allocates.
   */
  readonly quoteBuffer?: Uint8Array;
}

export interface GetQuoteResult {
  /** The quote, exactly its real length (the daemon pads to the caller's buf_size); a view of `quoteBuffer` when one was given. */
  readonly quote: Uint8Array;
  /** qe_report_info with the QE report filled in at bytes 528..959, when it was requested. */
  readonly qeReportInfo?: Uint8Array;
}
