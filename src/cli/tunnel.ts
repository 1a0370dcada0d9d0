/** A public URL that forwards to this machine's `port`; `close()` ends it. */
export interface Tunnel {
  url: string;
  close(): Promise<void>;
}

export type OpenTunnel = (options: { port: number; authtoken: string }) => Promise<Tunnel>;

/** The official ngrok agent as a library: no ngrok binary to install or run by hand. */
export const openNgrokTunnel: OpenTunnel = async ({ port, authtoken }) => {
  // Loaded only for `dev --tunnel`: its native module has no business in a production server's start-up.
  const ngrok = await import('@ngrok/ngrok');
  const listener = await ngrok.forward({ addr: port, authtoken });
  const url = listener.url();
  if (!url) {
    await listener.close();
    throw new Error('ngrok opened a tunnel without a URL');
  }
  return { url, close: () => listener.close() };
};
