export { TwilioMediaStream, type StreamStart, type StreamClosed, type MediaStreamEvents } from './media-stream.js';
export { MediaStreamServer, type MediaStreamServerOptions } from './media-stream-server.js';
export { parseTwilioFrame, type TwilioInbound, type TwilioOutbound } from './messages.js';
export {
  MEDIA_STREAM_PATH,
  isValidUpgradeSignature,
  isValidWebhookSignature,
  mediaStreamUrl,
  publicBaseUrl,
} from './signature.js';
export { connectStreamTwiml, dialTwiml, hangupTwiml, unavailableTwiml, whisperTwiml } from './twiml.js';
