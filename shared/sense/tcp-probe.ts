/** Opens and closes one TCP connection: the error if the port cannot be reached, else undefined. */
import net from 'node:net';

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (err?: Error) => {
      socket.destroy();
      resolve(err);
    };
    socket.setTimeout(timeoutMs, () =>
      done(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
    );
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}
