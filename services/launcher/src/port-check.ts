import net from 'node:net';

/**
 * True when nothing can listen on `host:port` right now because another program does (checked by
 * listening there and closing again). Other listen errors, such as a host name with no local
 * address, are left to the API, which reports them itself.
 */
export async function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}
