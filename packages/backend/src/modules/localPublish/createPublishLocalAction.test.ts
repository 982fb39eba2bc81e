import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'fs';
import os from 'os';
import path from 'path';
import yaml from 'yaml';
import {
  createPublishLocalAction,
  PUBLISHED_BY_FILE,
} from './createPublishLocalAction';
import { examples } from './createPublishLocalAction.examples';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function setup() {
  const root = tempDir('published-');
  const directory = path.join(root, '.data', 'published');
  const workspacePath = tempDir('workspace-');
  fs.writeFileSync(path.join(workspacePath, 'catalog-info.yaml'), 'kind: x\n');
  fs.mkdirSync(path.join(workspacePath, 'service/deploy'), { recursive: true });
  fs.writeFileSync(path.join(workspacePath, 'service/README.md'), '# hi\n');
  fs.writeFileSync(
    path.join(workspacePath, 'service/deploy/deployment.yaml'),
    'kind: Deployment\n',
  );
  const action = createPublishLocalAction({ directory });
  const contextFor = (input: Record<string, unknown>, taskId = 'task-1') => ({
    ...createMockActionContext({ input: input as any, workspacePath }),
    task: { id: taskId },
  });
  return { action, directory, workspacePath, contextFor };
}

describe('ai-platform:publish:local', () => {
  it('copies the workspace into <directory>/<name> and outputs its catalog-info.yaml', async () => {
    const { action, directory, contextFor } = setup();
    const ctx = contextFor({ name: 'support-bot' });
    await action.handler(ctx);
    const target = path.join(directory, 'support-bot');
    expect(
      fs.readFileSync(path.join(target, 'catalog-info.yaml'), 'utf8'),
    ).toBe('kind: x\n');
    expect(
      fs.readFileSync(
        path.join(target, 'service/deploy/deployment.yaml'),
        'utf8',
      ),
    ).toBe('kind: Deployment\n');
    expect(
      JSON.parse(fs.readFileSync(path.join(target, PUBLISHED_BY_FILE), 'utf8')),
    ).toMatchObject({ taskId: 'task-1' });
    expect(ctx.output).toHaveBeenCalledWith('path', target);
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoPath',
      path.join(target, 'catalog-info.yaml'),
    );
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', `file://${target}`);
  });

  it("refuses to replace another task's folder unless told to, and lets a retry of the same task replace its own", async () => {
    const { action, directory, contextFor } = setup();
    await action.handler(contextFor({ name: 'bot' }, 'task-1'));
    // The same task, retried: replaces what its first attempt wrote.
    await action.handler(contextFor({ name: 'bot' }, 'task-1'));
    await expect(
      action.handler(contextFor({ name: 'bot' }, 'task-2')),
    ).rejects.toThrow(
      `name: ${path.join(
        directory,
        'bot',
      )} exists already (published by task task-1)`,
    );
    await action.handler(
      contextFor({ name: 'bot', overwrite: true }, 'task-2'),
    );
    expect(
      JSON.parse(
        fs.readFileSync(path.join(directory, 'bot', PUBLISHED_BY_FILE), 'utf8'),
      ).taskId,
    ).toBe('task-2');
  });

  it('publishes once when a task resumes after a crash between the copy and its checkpoint', async () => {
    const { action, directory, contextFor } = setup();
    const saved = new Map<string, unknown>();
    let crash = true;
    const checkpoint = async ({ key, fn }: { key: string; fn: () => any }) => {
      if (saved.has(key)) return saved.get(key) as any;
      const value = await fn();
      if (crash) {
        crash = false;
        throw new Error('the backend restarted');
      }
      saved.set(key, value);
      return value;
    };
    await expect(
      action.handler({ ...contextFor({ name: 'bot' }), checkpoint }),
    ).rejects.toThrow('the backend restarted');
    // The first attempt's folder is there; the resumed task replaces it
    // with the same content instead of refusing its own folder.
    expect(fs.readdirSync(directory)).toEqual(['bot']);
    const resumed = { ...contextFor({ name: 'bot' }), checkpoint };
    await action.handler(resumed);
    expect(resumed.output).toHaveBeenCalledWith(
      'path',
      path.join(directory, 'bot'),
    );
    expect(fs.readdirSync(directory)).toEqual(['bot']);
    expect(
      JSON.parse(
        fs.readFileSync(path.join(directory, 'bot', PUBLISHED_BY_FILE), 'utf8'),
      ).taskId,
    ).toBe('task-1');
  });

  it('never writes outside the publish folder', async () => {
    const { action, contextFor } = setup();
    await expect(
      action.handler(contextFor({ name: 'x', sourcePath: '../../etc' })),
    ).rejects.toThrow(/outside/);
    await expect(action.handler(contextFor({ name: '..' }))).rejects.toThrow(
      /outside/,
    );
  });

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the example: %s',
    async (_description, example) => {
      const { action, directory, contextFor } = setup();
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      await action.handler(contextFor(step.input));
      expect(
        fs.existsSync(path.join(directory, step.input.name, PUBLISHED_BY_FILE)),
      ).toBe(true);
    },
  );
});
