import { create, fromBinary, isFieldSet, toBinary, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { file_aesm, RequestSchema, ResponseSchema, type Request, type Response } from "../gen/aesm_pb.ts";
import { SgxQuoteHelperError } from "../shared/errors.ts";

/** Wrapper field names of `aesm.message.Request`, one per request type. */
export type RequestKind = Exclude<keyof Request, "$typeName" | "$unknown">;
/** Wrapper field names of `aesm.message.Response`. */
export type ResponseKind = Exclude<keyof Response, "$typeName" | "$unknown">;

export type RequestPayload<K extends RequestKind> = NonNullable<Request[K]>;
export type ResponsePayload<K extends ResponseKind> = NonNullable<Response[K]>;
/** The fields a caller sets; unset fields stay absent on the wire. */
export type RequestInit<K extends RequestKind> = Partial<Omit<RequestPayload<K>, "$typeName" | "$unknown">>;
export type ResponseInit<K extends ResponseKind> = Partial<Omit<ResponsePayload<K>, "$typeName" | "$unknown">>;

/** Each request's response travels in the wrapper field with the same number. */
export const RESPONSE_KIND = {
  initQuoteReq: "initQuoteRes",
  getQuoteReq: "getQuoteRes",
  getLicTokenReq: "getLicTokenRes",
  reportErrReq: "reportErrRes",
  getWhiteListSizeReq: "getWhiteListSizeRes",
  getWhiteListReq: "getWhiteListRes",
  sgxGetExtendedEpidGroupIdReq: "sgxGetExtendedEpidGroupIdRes",
  sgxSwitchExtendedEpidGroupReq: "sgxSwitchExtendedEpidGroupRes",
  sgxRegisterReq: "sgxRegisterRes",
  initQuoteExReq: "initQuoteExRes",
  getQuoteSizeExReq: "getQuoteSizeExRes",
  getQuoteExReq: "getQuoteExRes",
  checkUpdateStatusReq: "checkUpdateStatusRes",
  selectAttKeyIDReq: "selectAttKeyIDRes",
  getSupportedAttKeyIDNumReq: "getSupportedAttKeyIDNumRes",
  getSupportedAttKeyIDsReq: "getSupportedAttKeyIDsRes",
} as const satisfies Record<RequestKind, ResponseKind>;

export type ResponseKindOf<K extends RequestKind> = (typeof RESPONSE_KIND)[K];

export type ProtocolErrorCode =
  "ERR_PROTOCOL_UNPARSEABLE" | "ERR_PROTOCOL_UNKNOWN_REQUEST" | "ERR_PROTOCOL_MULTIPLE_PAYLOADS" | "ERR_PROTOCOL_WRONG_RESPONSE";

export class ProtocolError extends SgxQuoteHelperError {
  /** Wrapper field numbers found in the message (known or not), for logs. */
  readonly fieldNumbers: readonly number[];

  constructor(code: ProtocolErrorCode, message: string, fieldNumbers: readonly number[] = [], options?: ErrorOptions) {
    super(code, message, options);
    this.fieldNumbers = fieldNumbers;
  }
}

/** A request that names exactly one known type; `missingRequired` lists unset proto2 required fields. */
export interface DecodedRequest<K extends RequestKind = RequestKind> {
  readonly kind: K;
  readonly fieldNumber: number;
  readonly payload: RequestPayload<K>;
  readonly missingRequired: readonly string[];
}

/**
 * Parses one `aesm.message.Request`. Throws ProtocolError when it does not parse or names no known
 * request type (where aesmd drops the connection), and when it names more than one: aesmd would
 * serve the first in its own order, but we refuse the ambiguity, as aesmd 2.30's hardening does.
 */
export function decodeRequest(body: Uint8Array): DecodedRequest {
  const request = parse(RequestSchema, body);
  const present = RequestSchema.fields.filter((field) => isFieldSet(request, field));
  const unknownNumbers = (request.$unknown ?? []).map((u) => u.no);
  const allNumbers = [...present.map((f) => f.number), ...unknownNumbers];
  const [field, ...others] = present;
  if (field === undefined) {
    throw new ProtocolError(
      "ERR_PROTOCOL_UNKNOWN_REQUEST",
      `request names no known type (fields: ${allNumbers.join(",") || "none"})`,
      allNumbers,
    );
  }
  if (others.length > 0) {
    throw new ProtocolError(
      "ERR_PROTOCOL_MULTIPLE_PAYLOADS",
      `request carries ${present.length} payloads (fields: ${allNumbers.join(",")})`,
      allNumbers,
    );
  }
  const kind = field.localName as RequestKind;
  const payload = request[kind] as RequestPayload<RequestKind>;
  const missingRequired = field.message === undefined ? [] : missingRequiredFields(field.message, payload);
  return { kind, fieldNumber: field.number, payload, missingRequired };
}

/** Serializes one request; every field set in `payload` is written, zero values included (proto2 presence). */
export function encodeRequest<K extends RequestKind>(kind: K, payload: RequestInit<K>): Uint8Array {
  return toBinary(RequestSchema, create(RequestSchema, { [kind]: payload }));
}

/** Serializes one response in wrapper field `kind`. */
export function encodeResponse<K extends ResponseKind>(kind: K, payload: ResponseInit<K>): Uint8Array {
  return toBinary(ResponseSchema, create(ResponseSchema, { [kind]: payload }));
}

/** Parses a response and returns the sub-message in `kind`; anything else is ERR_PROTOCOL_WRONG_RESPONSE. */
export function decodeResponse<K extends ResponseKind>(body: Uint8Array, kind: K): ResponsePayload<K> {
  const response = parse(ResponseSchema, body);
  const payload = response[kind];
  if (payload === undefined) {
    const present = ResponseSchema.fields.filter((f) => isFieldSet(response, f)).map((f) => f.number);
    throw new ProtocolError("ERR_PROTOCOL_WRONG_RESPONSE", `response lacks ${kind} (fields: ${present.join(",") || "none"})`, present);
  }
  return payload;
}

/** Names of the proto2 `required` fields of `message` (described by `schema`) that are not set. */
export function missingRequiredFields(schema: DescMessage, message: Message): string[] {
  return schema.fields.filter((f) => f.presence === FeatureSet_FieldPresence.LEGACY_REQUIRED && !isFieldSet(message, f)).map((f) => f.name);
}

function parse<T extends DescMessage>(schema: T, body: Uint8Array) {
  try {
    return fromBinary(schema, body);
  } catch (cause) {
    throw new ProtocolError("ERR_PROTOCOL_UNPARSEABLE", `${schema.name} does not parse: ${(cause as Error).message}`, [], { cause });
  }
}

let fieldsByTypeName: Map<string, Record<string, DescField>> | undefined;

/**
 * proto2 presence of one field, by its TypeScript name: an absent `bytes` field reads as an empty
 * array, so "was it sent?" needs this, not a value check.
 */
export function hasField(message: Message, localName: string): boolean {
  fieldsByTypeName ??= new Map(file_aesm.messages.flatMap((m) => [m, ...m.nestedMessages]).map((m) => [m.typeName, m.field] as const));
  const fields = fieldsByTypeName.get(message.$typeName);
  const field = fields !== undefined && Object.hasOwn(fields, localName) ? fields[localName] : undefined;
  return field !== undefined && isFieldSet(message, field);
}
