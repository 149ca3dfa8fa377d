/**
 * Sizes and identity constants of the SGX structures this package speaks (Intel linux-sgx
 * sgx_report.h / sgx_quote.h and DCAP sgx_quote_3.h, restated in our words).
 */

/** Byte sizes of the packed structures. */
export const SgxSize = {
  REPORT_BODY: 384,
  KEY_ID: 32,
  MAC: 16,
  REPORT: 432,
  TARGET_INFO: 512,
  ATT_KEY_ID_BASE: 158,
  ATT_KEY_ID_EXT: 256,
  ATT_KEY_ID_LIST_HEADER: 8,
  QE_REPORT_INFO: 960,
  NONCE: 16,
  CPU_SVN: 16,
  MEASUREMENT: 32,
  REPORT_DATA: 64,
  CONFIG_ID: 64,
} as const;

/** sgx_report_t size. */
export const REPORT_SIZE = SgxSize.REPORT;
/** sgx_report_body_t size. */
export const REPORT_BODY_SIZE = SgxSize.REPORT_BODY;
/** sgx_target_info_t size. */
export const TARGET_INFO_SIZE = SgxSize.TARGET_INFO;
/** sgx_ql_att_key_id_t size (the part aesmd compares). */
export const ATT_KEY_ID_BASE_SIZE = SgxSize.ATT_KEY_ID_BASE;
/** sgx_att_key_id_ext_t size (what travels on the wire). */
export const ATT_KEY_ID_EXT_SIZE = SgxSize.ATT_KEY_ID_EXT;
/** sgx_ql_qe_report_info_t size. */
export const QE_REPORT_INFO_SIZE = SgxSize.QE_REPORT_INFO;

/** Most entries an sgx_ql_att_key_id_list_t may carry (aesmd rejects more). */
export const MAX_ATT_KEY_ID_LIST_ENTRIES = 10;

/** SECS.ATTRIBUTES.FLAGS bits. */
export const AttributeFlags = {
  INITTED: 0x1n,
  DEBUG: 0x2n,
  MODE64BIT: 0x4n,
  PROVISION_KEY: 0x10n,
  EINITTOKEN_KEY: 0x20n,
  KSS: 0x80n,
  AEX_NOTIFY: 0x400n,
} as const;

/** XFRM value of an enclave that only uses x87 and SSE state. */
export const XFRM_LEGACY = 0x3n;

/** QE vendor id Intel's QE3/TDQE put in every quote header (QVL refuses any other). */
export const INTEL_QE_VENDOR_ID_HEX = "939a7233f79c4ca9940a0db3957f0607";

/** MRSIGNER of Intel's production QE3; part of the default ECDSA attestation key id. */
export const QE3_MRSIGNER_HEX = "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff";

/** MRSIGNER of Intel's debug-signed QE3 (builds with USE_DEBUG_MRSIGNER). */
export const QE3_DEBUG_MRSIGNER_HEX = "e4bd9fc2129835ba1dcca1939d57d08e88561b34740d59405972d4ba25a7e5f7";

/** sgx_ql_att_key_id_t.algorithm_id values. */
export const AttKeyAlgorithm = {
  EPID_UNLINKABLE: 0,
  EPID_LINKABLE: 1,
  ECDSA_P256: 2,
  ECDSA_P384: 3,
} as const;

/** The three CPUSVN values the SDK simulator accepts; DEFAULT is used when none is configured. */
export const SimCpuSvn = {
  DEFAULT: "4820f3376ae6b2f2034d3b7a4b48a778",
  UPGRADED: "5339ae8c93ae8f3ce432db924d0f0733",
  DOWNGRADED: "64ea4f3fa0030c36383c322d4f3a8d4f",
} as const;
