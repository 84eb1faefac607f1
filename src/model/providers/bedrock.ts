import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { DEFAULT_BEDROCK_MODEL } from '../model-spec.ts';
import type { ModelProvider, ProviderContext } from '../provider.ts';

const DEFAULT_REGION = 'us-east-1';

function region(env: ProviderContext['env']): string {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
}

function hasStaticKeys(env: ProviderContext['env']): boolean {
  return Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
}

/**
 * Credentials beyond static keys (profiles, SSO, web identity, ECS and EC2 roles) come from the
 * AWS SDK's default chain, loaded lazily so plain-key and Lambda deployments never import it.
 */
function credentialChain(env: ProviderContext['env']) {
  let provider: (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>) | undefined;
  return async () => {
    if (!provider) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      provider = fromNodeProviderChain(env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {});
    }
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    };
  };
}

function describeCredentialSource(env: ProviderContext['env']): string | undefined {
  if (env.AWS_BEARER_TOKEN_BEDROCK) return 'Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)';
  if (hasStaticKeys(env)) return 'access keys (AWS_ACCESS_KEY_ID)';
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE}`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'web identity token';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'container role';
  const home = env.HOME ?? homedir();
  if (existsSync(join(home, '.aws', 'credentials')) || existsSync(join(home, '.aws', 'config'))) {
    return 'shared AWS config files (~/.aws)';
  }
  return undefined;
}

/**
 * Amazon Bedrock through the Converse API. Guardrails go in `guardrailConfig`; prompt caching puts a
 * cache point at the end of the system prompt. Bedrock caches the prefix in the order tools, system,
 * messages, so that one point covers the tool definitions and the system prompt together.
 */
export const bedrockProvider: ModelProvider = {
  name: 'bedrock',
  defaultTarget: DEFAULT_BEDROCK_MODEL,
  create(target, context) {
    const { env } = context;
    const baseURL = env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? env.AWS_ENDPOINT_URL;
    // The SDK reads process.env.AWS_BEARER_TOKEN_BEDROCK when no apiKey is passed, and a bearer token
    // wins over SigV4 keys; an empty string keeps the injected env the only source.
    const apiKey = env.AWS_BEARER_TOKEN_BEDROCK ?? '';
    const bedrock = createAmazonBedrock({
      region: region(env),
      ...(baseURL ? { baseURL } : {}),
      ...(context.fetch ? { fetch: context.fetch } : {}),
      apiKey,
      ...(hasStaticKeys(env)
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID!,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          }
        : { credentialProvider: credentialChain(env) }),
    });
    return bedrock.languageModel(target || DEFAULT_BEDROCK_MODEL);
  },
  checkConfiguration(_target, { env }) {
    const source = describeCredentialSource(env);
    const regionNote =
      env.AWS_REGION || env.AWS_DEFAULT_REGION ? region(env) : `${DEFAULT_REGION} (AWS_REGION not set)`;
    if (source) return { ok: true, message: `AWS credentials from ${source}, region ${regionNote}` };
    return {
      ok: false,
      message:
        'No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_REGION), ' +
        'or AWS_PROFILE, or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK.',
    };
  },
  callOptions(settings) {
    const bedrock: Record<string, unknown> = {};
    if (settings.guardrail) {
      bedrock.guardrailConfig = {
        guardrailIdentifier: settings.guardrail.id,
        guardrailVersion: settings.guardrail.version,
        trace: settings.guardrail.trace === false ? 'disabled' : 'enabled',
      };
    }
    return {
      ...(Object.keys(bedrock).length > 0 ? { providerOptions: { bedrock } } : {}),
      ...(settings.promptCache ? { systemProviderOptions: { bedrock: { cachePoint: { type: 'default' } } } } : {}),
    } as ReturnType<NonNullable<ModelProvider['callOptions']>>;
  },
};
