import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * The official opentelemetry-proto definitions, as shipped (build/protos) by
 * @opentelemetry/otlp-grpc-exporter-base 0.38, the last release that carries the .proto files.
 * Resolved through the package, so hoisting and install layout do not matter.
 */
const PROTOS_DIR = path.join(path.dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')), 'build', 'protos');
const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const TRACE_SERVICE_PACKAGE = 'opentelemetry.proto.collector.trace.v1';

export interface OtlpTraceTypes {
  request: protobuf.Type;
  response: protobuf.Type;
  /** `google.rpc.Status`: the body OTLP/HTTP prescribes for error responses. */
  status: protobuf.Type;
}

let loaded: OtlpTraceTypes | undefined;

/** Loads the definitions on first use (a few ms of synchronous file reads) and keeps them. */
export function otlpTraceTypes(): OtlpTraceTypes {
  loaded ??= loadTraceTypes();
  return loaded;
}

function loadTraceTypes(): OtlpTraceTypes {
  const root = new protobuf.Root();
  // The files import each other by their path under the proto root (`opentelemetry/proto/...`).
  root.resolvePath = (_origin, target) => path.join(PROTOS_DIR, target);
  // Default options: field names become lowerCamelCase, the same keys the OTLP JSON encoding uses.
  root.loadSync(TRACE_SERVICE_PROTO);

  // The 0.38 files predate `ExportTraceServiceResponse.partial_success` (opentelemetry-proto 0.19);
  // added here by reflection, exactly as the current trace_service.proto declares it, so a response
  // can tell the exporter how many spans were rejected and why.
  const response = root.lookupType(`${TRACE_SERVICE_PACKAGE}.ExportTraceServiceResponse`);
  if (!response.fields['partialSuccess']) {
    const tracePackage = root.lookup(TRACE_SERVICE_PACKAGE) as protobuf.Namespace;
    tracePackage.add(
      new protobuf.Type('ExportTracePartialSuccess').add(new protobuf.Field('rejectedSpans', 1, 'int64')).add(new protobuf.Field('errorMessage', 2, 'string')),
    );
    response.add(new protobuf.Field('partialSuccess', 1, 'ExportTracePartialSuccess'));
  }

  // google/rpc/status.proto is not among the shipped files; `details` (repeated Any) is left out:
  // we never send any, and a reader skips the absent field either way.
  root.define('google.rpc').add(new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string')));

  root.resolveAll();
  return {
    request: root.lookupType(`${TRACE_SERVICE_PACKAGE}.ExportTraceServiceRequest`),
    response,
    status: root.lookupType('google.rpc.Status'),
  };
}
