declare module '@echogarden/speex-resampler-wasm/simd' {
  import type { SpeexModule } from './resampler.js';
  const factory: () => Promise<SpeexModule>;
  export default factory;
}
