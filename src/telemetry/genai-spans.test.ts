import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../agent/run-agent.ts';
import { scriptedAgent } from '../testing/scripted-agent.ts';
import { calculatorTool } from '../tools/builtin/calculator/calculator-tool.ts';

describe('run tracing', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => trace.disable());

  it('emits invoke_agent, chat and execute_tool spans with GenAI attributes, nested', async () => {
    const agent = scriptedAgent({
      name: 'assistant',
      script: {
        steps: [
          {
            toolCalls: [{ name: 'calculate', input: { expression: '2+2' } }],
            usage: { inputTokens: 11, outputTokens: 7 },
          },
          { text: '4', usage: { inputTokens: 20, outputTokens: 1 } },
        ],
      },
      tools: [calculatorTool],
    });
    await runAgent(agent, { query: 'What is 2+2?' });
    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.filter((span) => span.name === name);
    const [run] = byName('invoke_agent assistant');
    const chats = byName('chat scripted:test-script');
    const [tool] = byName('execute_tool calculate');

    expect(run?.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'assistant',
      'gen_ai.usage.input_tokens': 31,
      'gen_ai.usage.output_tokens': 8,
      'agentry.run.status': 'succeeded',
    });
    expect(chats).toHaveLength(2);
    expect(chats[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'scripted:test-script',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['tool-calls'],
    });
    expect(tool?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'calculate',
    });
    const runId = run!.spanContext().spanId;
    for (const child of [...chats, tool!]) {
      expect(child.parentSpanContext?.spanId).toBe(runId);
      expect(child.spanContext().traceId).toBe(run!.spanContext().traceId);
    }
  });

  it('marks a failed run with the error code, never the provider message', async () => {
    exporter.reset();
    const agent = scriptedAgent({
      script: { steps: [{ error: { status: 403, message: 'secret-laden provider text' } }] },
    });
    await runAgent(agent, { query: 'q' });
    const run = exporter.getFinishedSpans().find((span) => span.name.startsWith('invoke_agent'));
    expect(run?.status).toMatchObject({ code: 2, message: 'MODEL_AUTH_FAILED' });
    expect(JSON.stringify(exporter.getFinishedSpans().map((span) => [span.attributes, span.status]))).not.toContain(
      'secret-laden',
    );
  });
});
