// The transport seam as the rest of fleet sees it.
export type {
  ConnectOptions,
  ExecOptions,
  ExecResult,
  Negotiated,
  Session,
  Transport,
} from './transport.js';
export { DEFAULT_CONNECT_OPTIONS } from './transport.js';
export { createSsh2Transport, ssh2Transport } from './ssh2-transport.js';
export { mapLimit, withSession } from './pool.js';
