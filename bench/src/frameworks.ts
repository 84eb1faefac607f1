// Adapters: one agent, two tools (add, get_time), scripted zero-cost fake model.
// Every framework module is imported lazily so cold-start children load only one.
// The workload itself (tools, fake models' script, counters) lives in workload.ts.
import { addImpl, counters, fakeV4Model, type Loose, PROMPT, SYSTEM, type Turn, timeImpl } from './workload.js';

export { counters, reports, type Turn } from './workload.js';

// ---------------- baseline: hand-written minimal loop ----------------
async function baseline(): Promise<Turn> {
  const model = async (msgs: Loose[]) => {
    counters.model++;
    let n = 0;
    for (const m of msgs) if (m.role === 'tool') n++;
    if (n === 0) return { toolCalls: [{ id: 'call_add', name: 'add', args: { a: 2, b: 3 } }] };
    if (n === 1) return { toolCalls: [{ id: 'call_time', name: 'get_time', args: {} }] };
    return { text: 'done' };
  };
  const tools: Record<string, (a: Loose) => Promise<string>> = {
    add: async ({ a, b }) => addImpl(a, b),
    get_time: async () => timeImpl(),
  };
  return async () => {
    const msgs: Loose[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: PROMPT },
    ];
    for (let step = 0; step < 10; step++) {
      const r: Loose = await model(msgs);
      msgs.push({ role: 'assistant', ...r });
      if (!r.toolCalls) return r.text;
      for (const tc of r.toolCalls)
        msgs.push({ role: 'tool', toolCallId: tc.id, content: await tools[tc.name]!(tc.args) });
    }
    throw new Error('max steps');
  };
}

async function aisdk(): Promise<Turn> {
  const { ToolLoopAgent, tool } = await import('ai');
  const { z } = await import('zod');
  const agent = new ToolLoopAgent({
    model: fakeV4Model() as Loose,
    instructions: SYSTEM,
    tools: {
      add: tool({
        description: 'Add two numbers',
        inputSchema: z.object({ a: z.number(), b: z.number() }),
        execute: async ({ a, b }) => addImpl(a, b),
      }),
      get_time: tool({ description: 'Current time', inputSchema: z.object({}), execute: async () => timeImpl() }),
    },
  });
  return async () => (await agent.generate({ prompt: PROMPT })).text;
}

async function mastra(): Promise<Turn> {
  const { Agent } = await import('@mastra/core/agent');
  const { createTool } = await import('@mastra/core/tools');
  const { z } = await import('zod');
  const agent = new Agent({
    id: 'bench',
    name: 'bench',
    instructions: SYSTEM,
    model: fakeV4Model() as Loose,
    tools: {
      add: createTool({
        id: 'add',
        description: 'Add two numbers',
        inputSchema: z.object({ a: z.number(), b: z.number() }),
        execute: async ({ a, b }: Loose) => addImpl(a, b),
      }),
      get_time: createTool({
        id: 'get_time',
        description: 'Current time',
        inputSchema: z.object({}),
        execute: async () => timeImpl(),
      }),
    },
  });
  return async () => (await agent.generate(PROMPT)).text;
}

// ---------------- LangChain: custom BaseChatModel ----------------
async function lcParts() {
  const { BaseChatModel } = await import('@langchain/core/language_models/chat_models');
  const { AIMessage } = await import('@langchain/core/messages');
  const { tool } = await import('@langchain/core/tools');
  const { z } = await import('zod');
  class FakeToolChatModel extends BaseChatModel<Loose> {
    _llmType() {
      return 'fake-tool-model';
    }
    override bindTools(tools: Loose[]) {
      return this.withConfig({ tools } as Loose) as Loose;
    } // same shape real providers return
    async _generate(messages: Loose[]) {
      counters.model++;
      let n = 0;
      for (const m of messages) if (m.type === 'tool') n++;
      const message =
        n === 0
          ? new AIMessage({
              content: '',
              tool_calls: [{ id: 'call_add', name: 'add', args: { a: 2, b: 3 }, type: 'tool_call' }],
            })
          : n === 1
            ? new AIMessage({
                content: '',
                tool_calls: [{ id: 'call_time', name: 'get_time', args: {}, type: 'tool_call' }],
              })
            : new AIMessage({ content: 'done' });
      return { generations: [{ text: n < 2 ? '' : 'done', message }] };
    }
  }
  const tools = [
    tool(async ({ a, b }: Loose) => addImpl(a, b), {
      name: 'add',
      description: 'Add two numbers',
      schema: z.object({ a: z.number(), b: z.number() }),
    }),
    tool(async () => timeImpl(), { name: 'get_time', description: 'Current time', schema: z.object({}) }),
  ];
  return { llm: new FakeToolChatModel({}), tools };
}

async function langgraph(): Promise<Turn> {
  const { createReactAgent } = await import('@langchain/langgraph/prebuilt');
  const { llm, tools } = await lcParts();
  const agent = createReactAgent({ llm, tools, prompt: SYSTEM });
  return async () => {
    const r: Loose = await agent.invoke({ messages: [{ role: 'user', content: PROMPT }] });
    return r.messages[r.messages.length - 1].content;
  };
}

async function langchain(): Promise<Turn> {
  // langchain v1 createAgent (successor of createReactAgent)
  const { createAgent } = await import('langchain');
  const { llm, tools } = await lcParts();
  const agent = createAgent({ model: llm as Loose, tools, systemPrompt: SYSTEM });
  return async () => {
    const r: Loose = await agent.invoke({ messages: [{ role: 'user', content: PROMPT }] });
    return r.messages[r.messages.length - 1].content;
  };
}

// ---------------- OpenAI Agents: custom Model ----------------
async function openai(): Promise<Turn> {
  const { Agent, Runner, tool, Usage, setTracingDisabled } = await import('@openai/agents');
  const { z } = await import('zod');
  if (!process.env.OA_TRACING) setTracingDisabled(true); // peers run untraced (its exporter would need the network); only `agentry` traces
  const fakeModel = {
    async getResponse(req: Loose) {
      counters.model++;
      let n = 0;
      if (Array.isArray(req.input)) for (const it of req.input) if (it.type === 'function_call_result') n++;
      const output: Loose[] =
        n === 0
          ? [
              {
                type: 'function_call',
                callId: 'call_add',
                name: 'add',
                arguments: '{"a":2,"b":3}',
                status: 'completed',
              },
            ]
          : n === 1
            ? [{ type: 'function_call', callId: 'call_time', name: 'get_time', arguments: '{}', status: 'completed' }]
            : [
                {
                  type: 'message',
                  role: 'assistant',
                  status: 'completed',
                  content: [{ type: 'output_text', text: 'done' }],
                },
              ];
      return { usage: new Usage(), output };
    },
    getStreamedResponse(): AsyncIterable<Loose> {
      throw new Error('not used');
    },
  };
  const agent = new Agent({
    name: 'bench',
    instructions: SYSTEM,
    model: fakeModel as Loose,
    tools: [
      tool({
        name: 'add',
        description: 'Add two numbers',
        parameters: z.object({ a: z.number(), b: z.number() }),
        execute: async ({ a, b }) => addImpl(a, b),
      }),
      tool({
        name: 'get_time',
        description: 'Current time',
        parameters: z.object({}),
        execute: async () => timeImpl(),
      }),
    ],
  });
  const runner = new Runner();
  return async () => (await runner.run(agent, PROMPT)).finalOutput as string;
}

// ---------------- Strands: custom Model provider ----------------
async function strands(): Promise<Turn> {
  const { Agent, Model, tool } = await import('@strands-agents/sdk');
  const { z } = await import('zod');
  class FakeStrandsModel extends (Model as Loose) {
    cfg: Loose = { modelId: 'fake-model' };
    updateConfig(c: Loose) {
      Object.assign(this.cfg, c);
    }
    getConfig() {
      return this.cfg;
    }
    async *stream(messages: Loose[]) {
      counters.model++;
      let n = 0;
      for (const m of messages) for (const b of m.content) if (b.type === 'toolResultBlock') n++;
      yield { type: 'modelMessageStartEvent', role: 'assistant' };
      if (n < 2) {
        yield {
          type: 'modelContentBlockStartEvent',
          start:
            n === 0
              ? { type: 'toolUseStart', name: 'add', toolUseId: 'call_add' }
              : { type: 'toolUseStart', name: 'get_time', toolUseId: 'call_time' },
        };
        yield {
          type: 'modelContentBlockDeltaEvent',
          delta: { type: 'toolUseInputDelta', input: n === 0 ? '{"a":2,"b":3}' : '{}' },
        };
        yield { type: 'modelContentBlockStopEvent' };
        yield { type: 'modelMessageStopEvent', stopReason: 'toolUse' };
      } else {
        yield { type: 'modelContentBlockStartEvent' };
        yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: 'done' } };
        yield { type: 'modelContentBlockStopEvent' };
        yield { type: 'modelMessageStopEvent', stopReason: 'endTurn' };
      }
    }
  }
  const model = new FakeStrandsModel();
  const tools = [
    tool({
      name: 'add',
      description: 'Add two numbers',
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      callback: ({ a, b }: Loose) => addImpl(a, b),
    }),
    tool({ name: 'get_time', description: 'Current time', inputSchema: z.object({}), callback: () => timeImpl() }),
  ];
  // Strands agents keep conversation history and reject concurrent invoke(), so each turn
  // (an independent conversation, as for every other framework) gets a fresh Agent.
  return async () => {
    const agent = new Agent({ model: model as Loose, tools, systemPrompt: SYSTEM, printer: false });
    const r: Loose = await agent.invoke(PROMPT);
    return r.lastMessage.content[0].text;
  };
}

// ---------------- Agentry: its own run loop, from this repository's source ----------------
// dist/agentry.js is a separate bundle (see build.mjs); importing it lazily keeps Agentry,
// zod and OpenTelemetry out of the other frameworks' children.
const agentry = async (): Promise<Turn> => (await import('./agentry.js')).agentry({ tracing: true });
const agentryNotrace = async (): Promise<Turn> => (await import('./agentry.js')).agentry({ tracing: false });

export const registry: Record<string, () => Promise<Turn>> = {
  baseline,
  aisdk,
  mastra,
  langgraph,
  langchain,
  openai,
  strands,
  agentry,
  'agentry-notrace': agentryNotrace,
};
