export { XmlRpcDecoder, XmlRpcDecodeError, decodeResponse, decodeValueFragment } from "./decoder";
export type { XmlRpcValue, DecodeOptions, DecodedResponse } from "./decoder";
export { encodeMethodCall, encodeValueFragment, XmlRpcEncodeError } from "./encoder";
export { parseXapiDateTime, formatXapiDateTime } from "./datetime";
