import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@herald/errors';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

/**
 * What a request that never reaches express gets: Node's HTTP parser refuses a request line or
 * headers over its limit (16 KiB) or a malformed request itself, and by default answers a bare
 * `431` or `400` with no body. As a `clientError` handler this answers problem+json with a code,
 * as every other refusal of the API, then closes the connection (the parser cannot go on).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const code: ErrorCode = tooLarge ? 'headers-too-large' : 'bad-request';
  const detail = tooLarge
    ? 'The request line and headers are larger than the 16 KiB the server reads.'
    : 'The request is not valid HTTP.';
  const answer = problem(status, code, detail);
  const body = JSON.stringify(answer);
  socket.end(
    `HTTP/1.1 ${status} ${answer.title}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
