export { XmlRpcDecoder, XmlRpcDecodeError, decodeResponse, decodeValueFragment } from "./decoder";
export type { XmlRpcValue, DecodeOptions, DecodedResponse, MemberSink } from "./decoder";
export { encodeMethodCall, encodeValueFragment, XmlRpcEncodeError } from "./encoder";
export { parseXapiDateTime, formatXapiDateTime } from "./datetime";
