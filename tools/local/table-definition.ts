import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const SERVERLESS_YML = path.join(__dirname, '..', '..', 'serverless.yml');

interface TableProperties {
  AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  KeySchema: CreateTableCommandInput['KeySchema'];
  BillingMode: CreateTableCommandInput['BillingMode'];
  StreamSpecification?: { StreamViewType: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY' };
}

/**
 * The CreateTable input for the monitor table, read from the `MonitorTable` resource that
 * serverless.yml deploys, so the local table and the deployed one cannot drift apart.
 */
export function tableDefinition(tableName: string, serverlessYml = SERVERLESS_YML): CreateTableCommandInput {
  const document = parse(readFileSync(serverlessYml, 'utf8')) as {
    resources?: { Resources?: { MonitorTable?: { Properties?: TableProperties } } };
  };
  const properties = document.resources?.Resources?.MonitorTable?.Properties;
  if (!properties) throw new Error(`${serverlessYml}: resources.Resources.MonitorTable.Properties is missing`);
  return {
    TableName: tableName,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    BillingMode: properties.BillingMode,
    ...(properties.StreamSpecification
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: properties.StreamSpecification.StreamViewType } }
      : {}),
  };
}

/** The TTL attribute serverless.yml configures on the table. */
export function ttlAttribute(serverlessYml = SERVERLESS_YML): string | undefined {
  const document = parse(readFileSync(serverlessYml, 'utf8')) as {
    resources?: { Resources?: { MonitorTable?: { Properties?: { TimeToLiveSpecification?: { AttributeName?: string } } } } };
  };
  return document.resources?.Resources?.MonitorTable?.Properties?.TimeToLiveSpecification?.AttributeName;
}
