import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { RichSpecDatabase, type PropertyType, type ResourceProperties, type SpecDatabase } from '@aws-cdk/service-spec-types';

/** A CloudFormation template as `sls package` writes it. */
export interface CloudFormationTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CloudFormationResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Export?: unknown; Condition?: string }>;
}

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
  Metadata?: unknown;
  CreationPolicy?: unknown;
  UpdatePolicy?: unknown;
}

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Condition',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);
const POLICIES = new Set(['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate']);
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/**
 * Checks a template against the CloudFormation resource specification of `@aws-cdk/aws-service-spec`
 * (the registry schemas CDK generates its L1 constructs from): every resource type exists, every
 * property exists on its type (at every depth), required properties are present, primitive values
 * have the right type, and every Ref, Fn::GetAtt and Fn::Sub placeholder names a resource (and an
 * attribute it really has) or a pseudo parameter. Returns one message per problem.
 */
export class CloudFormationSpec {
  private constructor(private readonly db: SpecDatabase, private readonly rich: RichSpecDatabase) {}

  static async load(): Promise<CloudFormationSpec> {
    const db = await loadAwsServiceSpec();
    return new CloudFormationSpec(db, new RichSpecDatabase(db));
  }

  validate(template: CloudFormationTemplate): string[] {
    const problems: string[] = [];
    const context = { template, problems };
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const where = `Resources.${logicalId}`;
      for (const key of Object.keys(resource)) {
        if (!RESOURCE_KEYS.has(key)) problems.push(`${where}: unknown resource attribute ${key}`);
      }
      for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
        const value = resource[policy];
        if (value !== undefined && !POLICIES.has(value)) problems.push(`${where}.${policy}: unknown policy ${value}`);
      }
      for (const dependency of [resource.DependsOn ?? []].flat()) {
        if (!template.Resources[dependency]) problems.push(`${where}.DependsOn: no resource ${dependency}`);
      }
      const spec = this.resourceSpec(resource.Type);
      if (!spec) {
        problems.push(`${where}: unknown resource type ${resource.Type}`);
        continue;
      }
      this.checkObject(resource.Properties ?? {}, spec.properties, `${where}.Properties`, context);
    }
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      this.checkValue(output.Value, { type: 'json' }, `Outputs.${name}.Value`, context);
    }
    return problems;
  }

  /** The attributes (`Fn::GetAtt` names) a resource type has; undefined for an unknown type. */
  attributesOf(type: string): string[] | undefined {
    const spec = this.resourceSpec(type);
    return spec ? Object.keys(spec.attributes) : undefined;
  }

  private resourceSpec(type: string) {
    return this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
  }

  private checkObject(value: unknown, properties: ResourceProperties, where: string, context: CheckContext): void {
    if (isIntrinsic(value)) {
      this.checkIntrinsic(value, where, context);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      context.problems.push(`${where}: expected an object, got ${JSON.stringify(value)}`);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && record[name] === undefined) context.problems.push(`${where}: required property ${name} is missing`);
    }
    for (const [name, child] of Object.entries(record)) {
      const property = properties[name];
      if (!property) {
        context.problems.push(`${where}: unknown property ${name}`);
        continue;
      }
      const types = [property.type, ...(property.previousTypes ?? [])];
      this.checkAnyOf(child, types, `${where}.${name}`, context);
    }
  }

  private checkAnyOf(value: unknown, types: PropertyType[], where: string, context: CheckContext): void {
    const attempts = types.map((type) => {
      const problems: string[] = [];
      this.checkValue(value, type, where, { ...context, problems });
      return problems;
    });
    const passing = attempts.find((problems) => problems.length === 0);
    if (!passing) context.problems.push(...(attempts[0] ?? [`${where}: no type to check against`]));
  }

  private checkValue(value: unknown, type: PropertyType, where: string, context: CheckContext): void {
    if (isIntrinsic(value)) {
      this.checkIntrinsic(value, where, context);
      return;
    }
    const fail = (expected: string) => context.problems.push(`${where}: expected ${expected}, got ${JSON.stringify(value)}`);
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') fail('a string');
        else if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
          fail(`one of ${type.allowedValues.join(', ')}`);
        }
        return;
      case 'number':
      case 'integer':
        if (!(typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))))) {
          fail('a number');
        } else if (type.type === 'integer' && !Number.isInteger(Number(value))) fail('a whole number');
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') fail('a boolean');
        return;
      case 'json':
        this.checkNestedIntrinsics(value, where, context);
        return;
      case 'null':
        if (value !== null) fail('null');
        return;
      case 'tag':
        this.checkObject(value, TAG_PROPERTIES, where, context);
        return;
      case 'array':
        if (!Array.isArray(value)) {
          fail('a list');
          return;
        }
        value.forEach((element, index) => this.checkValue(element, type.element, `${where}[${index}]`, context));
        return;
      case 'map':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          fail('a map');
          return;
        }
        for (const [key, element] of Object.entries(value)) this.checkValue(element, type.element, `${where}.${key}`, context);
        return;
      case 'union':
        this.checkAnyOf(value, type.types, where, context);
        return;
      case 'ref': {
        const definition = this.rich.tryFindDef(type);
        if (!definition) {
          context.problems.push(`${where}: the specification has no definition for this property's type`);
          return;
        }
        this.checkObject(value, definition.properties, where, context);
        return;
      }
    }
  }

  /** Intrinsics inside free-form JSON (policy documents, for example) must still name real things. */
  private checkNestedIntrinsics(value: unknown, where: string, context: CheckContext): void {
    if (isIntrinsic(value)) {
      this.checkIntrinsic(value, where, context);
    } else if (Array.isArray(value)) {
      value.forEach((element, index) => this.checkNestedIntrinsics(element, `${where}[${index}]`, context));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, element] of Object.entries(value)) this.checkNestedIntrinsics(element, `${where}.${key}`, context);
    }
  }

  private checkIntrinsic(value: Record<string, unknown>, where: string, context: CheckContext): void {
    const [name, argument] = Object.entries(value)[0] as [string, unknown];
    const { template, problems } = context;
    const checkRef = (target: string) => {
      if (!PSEUDO_PARAMETERS.has(target) && !template.Resources[target] && !template.Parameters?.[target]) {
        problems.push(`${where}: Ref to ${target}, which is neither a resource nor a pseudo parameter`);
      }
    };
    const checkGetAtt = (target: string, attribute: string) => {
      const resource = template.Resources[target];
      if (!resource) {
        problems.push(`${where}: Fn::GetAtt of ${target}, which is not a resource`);
        return;
      }
      const attributes = this.attributesOf(resource.Type);
      if (attributes && !attributes.includes(attribute)) {
        problems.push(`${where}: ${resource.Type} has no attribute ${attribute} (it has ${attributes.join(', ')})`);
      }
    };
    switch (name) {
      case 'Ref':
        checkRef(String(argument));
        return;
      case 'Fn::GetAtt': {
        const [target, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        checkGetAtt(target ?? '', attribute ?? '');
        return;
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? [String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>] : [String(argument), {}];
        for (const match of text.matchAll(/\$\{(?!!)([^}]+)\}/g)) {
          const placeholder = match[1] ?? '';
          if (Object.hasOwn(variables, placeholder)) continue;
          const [target, ...attribute] = placeholder.split('.');
          if (attribute.length > 0) checkGetAtt(target ?? '', attribute.join('.'));
          else checkRef(target ?? '');
        }
        for (const [key, variable] of Object.entries(variables)) this.checkNestedIntrinsics(variable, `${where}.${key}`, context);
        return;
      }
      default:
        this.checkNestedIntrinsics(argument, `${where}.${name}`, context);
    }
  }
}

interface CheckContext {
  template: CloudFormationTemplate;
  problems: string[];
}

const TAG_PROPERTIES: ResourceProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || (keys[0] ?? '').startsWith('Fn::'));
}
