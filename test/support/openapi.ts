import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { getOpenApiDocument } from '../../lib/http/openapi';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** The parts of the OpenAPI document the tests read. */
export interface OpenApiDocument {
  openapi: string;
  info: JsonObject;
  servers?: JsonValue[];
  security?: JsonValue[];
  paths: { [path: string]: { get: JsonObject & { operationId: string; responses: { [status: string]: JsonValue } } } };
  components: { schemas: { [name: string]: JsonObject }; responses: JsonObject };
}

/** The document as `GET /openapi.json` serves it: JSON text, read back. */
export function loadOpenApiDocument(): OpenApiDocument {
  return JSON.parse(JSON.stringify(getOpenApiDocument())) as OpenApiDocument;
}

/** An answer as the API gives it. */
export interface ApiAnswer {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
}

const COMPONENTS_ID = 'urn:uptime-monitor:openapi:components';

/** `#/components/schemas/X` as a reference into the components added to Ajv on their own. */
function relocateRefs(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(relocateRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/schemas/')
        ? `${COMPONENTS_ID}#/$defs/${inner.slice('#/components/schemas/'.length)}`
        : relocateRefs(inner),
    ]),
  );
}

/**
 * Checks real answers against the OpenAPI document: the path and method must be documented, the
 * status code must be one of the operation's responses, the content type one of that response's
 * media types, and a JSON body must validate against its schema (JSON Schema 2020-12, strict).
 */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; pattern: RegExp }>;

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: relocateRefs(document.components.schemas) as Record<string, JsonValue> });
    this.templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** The documented path template a raw path falls under, if any. */
  findTemplate(rawPath: string): string | undefined {
    return this.templates.find(({ pattern }) => pattern.test(rawPath))?.template;
  }

  /** What is wrong with the answer; empty when it is as documented. */
  check(method: string, rawPath: string, answer: ApiAnswer): string[] {
    const template = this.findTemplate(rawPath);
    if (!template) return [`${rawPath} is not documented`];
    if (method.toLowerCase() !== 'get') return [`${method} ${template} is not documented`];
    const operation = this.document.paths[template]?.get;
    const status = String(answer.statusCode);
    const declared = operation?.responses[status];
    if (!declared) return [`GET ${template} does not document status ${status}`];
    const response = this.resolveResponse(declared);
    const contentType = String(answer.headers?.['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const content = response.content as Record<string, { schema: JsonValue }> | undefined;
    const media = content?.[contentType];
    if (!media) return [`GET ${template} ${status} does not document content type '${contentType}'`];
    if (contentType !== 'application/json') return typeof answer.body === 'string' ? [] : ['no body'];
    const key = `${template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(relocateRefs(media.schema) as Record<string, JsonValue>);
      this.compiled.set(key, validate);
    }
    const body: unknown = JSON.parse(answer.body ?? '');
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `GET ${template} ${status}: ${error.instancePath || '(body)'} ${error.message ?? ''}`);
  }

  private resolveResponse(declared: JsonValue): Record<string, JsonValue> {
    if (declared && typeof declared === 'object' && !Array.isArray(declared)) {
      const target = declared.$ref;
      if (typeof target === 'string') {
        const name = target.replace('#/components/responses/', '');
        return this.document.components.responses[name] as Record<string, JsonValue>;
      }
      return declared;
    }
    throw new Error(`not a response object: ${JSON.stringify(declared)}`);
  }
}
