/**
 * An expected domain failure: something the user can act on. `code` is stable and machine-readable;
 * `message` is one clear line that names the file, line or field at fault.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly status: number = defaultStatus(code),
  ) {
    super(message);
  }
}

export type AppErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'procfile'
  | 'sandbox'
  | 'upstream'
  | 'unauthorized'
  | 'forbidden'
  | 'hub_running'
  | 'data_dir'
  | 'too_many'
  | 'unavailable';

function defaultStatus(code: AppErrorCode): number {
  switch (code) {
    case 'invalid_input':
    case 'procfile':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'hub_running':
      return 409;
    case 'too_many':
      return 429;
    case 'data_dir':
      return 500;
    case 'sandbox':
    case 'upstream':
    case 'unavailable':
      return 503;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The JSON body every error response of the hub's HTTP API carries. */
export interface ErrorBody {
  error: { code: string; message: string };
}
