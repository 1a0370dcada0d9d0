#!/usr/bin/env bash
# Regenerates the synthetic speech in assets/ (not needed to run anything: the clips are committed).
# Needs espeak-ng and sox. The caller clips in assets/caller/ come from the team's shared fixtures,
# made the same way at 8 kHz mu-law: espeak-ng ... | sox ... -e u-law highpass 300 lowpass 3400.
set -euo pipefail
cd "$(dirname "$0")/../assets"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

espeak-ng -v en-us -s 155 -w "$tmp/apology.wav" \
  "I'm sorry, we're having technical difficulties and can't continue this call. Please call again in a few minutes. Goodbye."
sox "$tmp/apology.wav" -t raw -r 8000 -c 1 -e u-law -b 8 audio/technical-difficulties.ulaw \
  highpass 300 lowpass 3400 rate -v 8000 gain -n -6 pad 0.1 0.3

# A caller clip made here rather than in the shared fixtures: asking for a human (the hand-off path).
espeak-ng -v en-us -s 150 -w "$tmp/human.wav" "Can I speak to a real person, please? I need help with a refund."
sox "$tmp/human.wav" -r 8000 -c 1 -e u-law -b 8 caller/en-human.wav highpass 300 lowpass 3400 rate -v 8000 gain -n -6 pad 0.2 0.3

# sim-voice/index.json is the list: id, language, text. long-en.wav is a shared fixture, kept as is.
node -e '
  const clips = require("./sim-voice/index.json").clips.filter((c) => c.id !== "long-en");
  const voices = { en: "en-us", fr: "fr", es: "es", de: "de" };
  for (const c of clips) console.log([c.id, voices[c.language], c.text].join("\t"));
' | while IFS=$'\t' read -r id voice text; do
  espeak-ng -v "$voice" -s 160 -w "$tmp/raw.wav" "$text"
  sox "$tmp/raw.wav" -r 24000 -c 1 -e signed-integer -b 16 "sim-voice/$id.wav" gain -n -3 pad 0.05 0.1
done
