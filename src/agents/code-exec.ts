import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Language } from '../sandbox/build-context.js';
import { AppError } from '../shared/errors.js';

/** Largest `code` a code_exec tool takes (it travels in the container's environment). */
export const maxCodeBytes = 100 * 1024;

const languages: Record<Language, { title: string; installer: string; what: string }> = {
  node: { title: 'Node.js', installer: 'npm', what: 'Optional list of npm package names to install before execution.' },
  python: {
    title: 'Python',
    installer: 'pip',
    what: 'Optional list of pip package names to install before execution.',
  },
  ruby: { title: 'Ruby', installer: 'gem', what: 'Optional list of gem names to install before execution.' },
  go: { title: 'Go', installer: 'go get', what: 'Optional list of Go import paths to install using `go get`.' },
};

function definition(language: Language): Omit<Tool, 'name'> {
  const { title, installer, what } = languages[language];
  return {
    description: `Executes a ${title} code snippet with optional ${installer} dependencies, in a throwaway container. A non-zero exit code is an error and should be fixed. Returns: JSON containing returncode / stdout / stderr`,
    inputSchema: {
      type: 'object',
      required: ['code'],
      properties: {
        code: { type: 'string', description: `The ${title} code to execute as a string.` },
        packages: { type: 'array', items: { type: 'string' }, description: what },
      },
    },
  };
}

/** Heroku's four code execution tools, as the model sees them (the schemas of Heroku's example servers). */
export const codeExecTools = {
  code_exec_node: definition('node'),
  code_exec_python: definition('python'),
  code_exec_ruby: definition('ruby'),
  code_exec_go: definition('go'),
};

/** The language a code_exec tool runs, or undefined for other names. */
export function codeLanguage(tool: string): Language | undefined {
  const language = /^code_exec_(node|python|ruby|go)$/.exec(tool)?.[1];
  return language as Language | undefined;
}

/** A package name or spec that cannot break out of the shell command it is put in. */
const packagePattern = /^[A-Za-z0-9@_][A-Za-z0-9@._/:=~^+-]*$/;

/**
 * Checks a code_exec call's arguments: `code` a string within the limit, `packages` names only.
 * Throws `AppError` naming the field at fault.
 */
export function codeArguments(tool: string, args: Record<string, unknown>): { code: string; packages: string[] } {
  const { code, packages = [] } = args;
  if (typeof code !== 'string') throw new AppError('invalid_input', `${tool} needs a "code" string`);
  if (Buffer.byteLength(code) > maxCodeBytes)
    throw new AppError('invalid_input', `${tool}: code is over ${maxCodeBytes / 1024} KiB`);
  if (packages !== null && !Array.isArray(packages))
    throw new AppError('invalid_input', `${tool}: packages must be a list of names`);
  const names = (packages ?? []) as unknown[];
  const bad = names.find((p) => typeof p !== 'string' || !packagePattern.test(p));
  if (bad !== undefined)
    throw new AppError('invalid_input', `${tool}: packages: ${JSON.stringify(bad)} is not a package name`);
  return { code, packages: names as string[] };
}

/**
 * The shell command that installs the packages (when there are any) and runs the code, which it
 * reads from `$PROCDOCK_CODE`. Everything happens in `/tmp`, the only writable place.
 */
export function codeExecCommand(language: Language, packages: string[]): string {
  const list = packages.join(' ');
  switch (language) {
    case 'node': {
      const install = list
        ? `npm install --no-save --no-audit --no-fund --no-package-lock --prefix /tmp/pkgs ${list} >&2 && export NODE_PATH=/tmp/pkgs/node_modules && `
        : '';
      return `cd /tmp && ${install}exec node -e "$PROCDOCK_CODE"`;
    }
    case 'python': {
      const install = list
        ? `python3 -m pip install --quiet --disable-pip-version-check --target /tmp/pkgs ${list} >&2 && export PYTHONPATH=/tmp/pkgs && `
        : '';
      return `cd /tmp && ${install}exec python3 -c "$PROCDOCK_CODE"`;
    }
    case 'ruby': {
      const install = list
        ? `gem install --no-document --install-dir /tmp/gems ${list} >&2 && export GEM_PATH=/tmp/gems && `
        : '';
      return `cd /tmp && ${install}exec ruby -e "$PROCDOCK_CODE"`;
    }
    case 'go': {
      const install = list ? `go get ${list} >&2 && ` : '';
      return [
        'mkdir -p /tmp/run && cd /tmp/run',
        'export GOPATH=/tmp/go GOCACHE=/tmp/go-cache GOFLAGS=-mod=mod GOTOOLCHAIN=local',
        'go mod init tempmodule >/dev/null 2>&1',
        `printf '%s' "$PROCDOCK_CODE" > main.go && ${install}exec go run .`,
      ].join(' && ');
    }
  }
}
