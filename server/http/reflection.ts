// gRPC server reflection (grpc.reflection.v1 and the older v1alpha), built on
// the protobuf-es descriptors of the services this port serves, so grpcurl and
// `buf curl` can list services, describe methods and call them without .proto
// files. v1alpha has the same wire format as v1: its requests and responses are
// translated through bytes and answered by the one v1 implementation.
import { create, createRegistry, fromBinary, toBinary, type DescFile, type DescService, type MessageInitShape, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

type Response = MessageInitShape<typeof v1.ServerReflectionResponseSchema>;

/** Every file the given services are declared in, with their transitive imports, by file name. */
class DescriptorIndex {
  private readonly files = new Map<string, DescFile>();
  private readonly registry: Registry;
  readonly serviceNames: string[];

  constructor(services: readonly DescService[]) {
    const add = (f: DescFile) => {
      if (this.files.has(f.proto.name)) return;
      this.files.set(f.proto.name, f);
      f.dependencies.forEach(add);
    };
    services.forEach((s) => add(s.file));
    this.registry = createRegistry(...this.files.values());
    this.serviceNames = services.map((s) => s.typeName).sort();
  }

  fileByName(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  /** The file declaring a message, enum, service, method (`pkg.Service.Method`) or extension. */
  fileOfSymbol(symbol: string): DescFile | undefined {
    const desc = this.registry.get(symbol);
    if (desc) return desc.file;
    const dot = symbol.lastIndexOf(".");
    const service = dot > 0 ? this.registry.getService(symbol.slice(0, dot)) : undefined;
    return service?.methods.some((m) => m.name === symbol.slice(dot + 1)) ? service.file : undefined;
  }

  /** Serialized FileDescriptorProtos of `file` and everything it imports, `file` first. */
  withDependencies(file: DescFile): Uint8Array[] {
    const out: DescFile[] = [];
    const visit = (f: DescFile) => {
      if (out.includes(f)) return;
      out.push(f);
      f.dependencies.forEach(visit);
    };
    visit(file);
    return out.map((f) => toBinary(FileDescriptorProtoSchema, f.proto));
  }

  isKnownMessage(typeName: string): boolean {
    return this.registry.getMessage(typeName) !== undefined;
  }
}

function answer(index: DescriptorIndex, req: v1.ServerReflectionRequest): Response {
  const base = { validHost: req.host, originalRequest: req };
  const files = (file: DescFile | undefined, what: string): Response => file
    ? { ...base, messageResponse: { case: "fileDescriptorResponse", value: { fileDescriptorProto: index.withDependencies(file) } } }
    : error(Code.NotFound, `${what} not found`);
  const error = (code: Code, message: string): Response =>
    ({ ...base, messageResponse: { case: "errorResponse", value: { errorCode: code, errorMessage: message } } });
  const r = req.messageRequest;
  switch (r.case) {
    case "listServices":
      return { ...base, messageResponse: { case: "listServicesResponse", value: { service: index.serviceNames.map((name) => ({ name })) } } };
    case "fileByFilename":
      return files(index.fileByName(r.value), `file "${r.value}"`);
    case "fileContainingSymbol":
      return files(index.fileOfSymbol(r.value), `symbol "${r.value}"`);
    case "fileContainingExtension":
      // No served file declares extensions.
      return error(Code.NotFound, `extension ${r.value.extensionNumber} of "${r.value.containingType}" not found`);
    case "allExtensionNumbersOfType":
      return index.isKnownMessage(r.value)
        ? { ...base, messageResponse: { case: "allExtensionNumbersResponse", value: { baseTypeName: r.value, extensionNumber: [] } } }
        : error(Code.NotFound, `type "${r.value}" not found`);
    default:
      return error(Code.InvalidArgument, "message_request: required");
  }
}

/**
 * Registers reflection v1 and v1alpha on `router`, describing every service
 * registered on it before this call plus the reflection services themselves:
 * call it last.
 */
export function registerReflection(router: ConnectRouter): void {
  const services = [...new Set(router.handlers.map((h) => h.service)), v1.ServerReflection, v1alpha.ServerReflection];
  const impl = createReflectionServices(services);
  router.service(v1.ServerReflection, impl.v1);
  router.service(v1alpha.ServerReflection, impl.v1alpha);
}

export interface ReflectionServices {
  v1: ServiceImpl<typeof v1.ServerReflection>;
  v1alpha: ServiceImpl<typeof v1alpha.ServerReflection>;
}

/**
 * Reflection over `services` (pass every service the port serves, the
 * reflection services included). Each file is sent whole with all its imports
 * on every answer; the protocol allows, but does not require, omitting files
 * sent earlier on the stream.
 */
export function createReflectionServices(services: readonly DescService[]): ReflectionServices {
  const index = new DescriptorIndex(services);
  return {
    v1: {
      async *serverReflectionInfo(requests) {
        for await (const req of requests) yield answer(index, req);
      },
    },
    v1alpha: {
      async *serverReflectionInfo(requests) {
        for await (const req of requests) {
          const asV1 = fromBinary(v1.ServerReflectionRequestSchema, toBinary(v1alpha.ServerReflectionRequestSchema, req));
          const bytes = toBinary(v1.ServerReflectionResponseSchema, create(v1.ServerReflectionResponseSchema, answer(index, asV1)));
          yield fromBinary(v1alpha.ServerReflectionResponseSchema, bytes);
        }
      },
    },
  };
}

