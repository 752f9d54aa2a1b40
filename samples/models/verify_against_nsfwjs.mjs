// Runs nsfwjs@4.4.0 (MobileNetV2, pure-JS tfjs CPU backend) on benign images and writes
// the probabilities it gives as JSON: the reference the converted ONNX model must match.
//
// Decoding is taken out of the comparison: ImageMagick decodes each image to 8-bit RGB
// once, this script feeds those exact pixels to nsfwjs (which then does its own /255 and
// align-corners bilinear resize), and records an FNV-1a 64 digest of the pixels so the
// C++ side can prove it decoded the same ones before comparing scores.
//
// Run from a directory whose node_modules has nsfwjs@4.4.0 and @tensorflow/tfjs:
//   node verify_against_nsfwjs.mjs TESTDATA_DIR OUT_JSON REL_IMAGE_PATH...
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "index.js"));
const tf = require("@tensorflow/tfjs");
const nsfwjs = require("nsfwjs");

const [testdata, outJson, ...images] = process.argv.slice(2);
if (!testdata || !outJson || images.length === 0) {
  console.error("usage: node verify_against_nsfwjs.mjs TESTDATA_DIR OUT_JSON IMAGE...");
  process.exit(2);
}

function decodeRgb(file) {
  // P6 PPM, 8 bits per sample, sRGB, no orientation change (nothing auto-orients).
  const ppm = execFileSync("convert", [file, "-colorspace", "sRGB", "-type", "TrueColor",
                                       "-depth", "8", "ppm:-"],
                           { maxBuffer: 1 << 30 });
  const header = [];
  let pos = 0;
  while (header.length < 4) {  // magic, width, height, maxval; skip whitespace/comments
    while (/\s/.test(String.fromCharCode(ppm[pos]))) pos++;
    if (ppm[pos] === 0x23) { while (ppm[pos] !== 0x0a) pos++; continue; }
    let token = "";
    while (!/\s/.test(String.fromCharCode(ppm[pos]))) token += String.fromCharCode(ppm[pos++]);
    header.push(token);
  }
  pos++;  // the single whitespace byte after maxval
  const [magic, w, h, maxval] = header;
  if (magic !== "P6" || maxval !== "255") throw new Error(`${file}: unexpected PPM ${header}`);
  const width = Number(w), height = Number(h);
  const rgb = ppm.subarray(pos, pos + width * height * 3);
  if (rgb.length !== width * height * 3) throw new Error(`${file}: short PPM`);
  return { width, height, rgb };
}

function fnv1a64(bytes) {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n, mask = 0xffffffffffffffffn;
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * prime) & mask;
  return hash.toString(16).padStart(16, "0");
}

await tf.setBackend("cpu");
const model = await nsfwjs.load("MobileNetV2");
const labels = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"];  // nsfwjs class order
const results = [];
for (const rel of images) {
  const { width, height, rgb } = decodeRgb(path.join(testdata, rel));
  const input = tf.tensor3d(Int32Array.from(rgb), [height, width, 3], "int32");
  const output = model.infer(input);
  const probabilities = Array.from(output.dataSync());
  input.dispose();
  output.dispose();
  const top = probabilities.indexOf(Math.max(...probabilities));
  results.push({ path: rel, width, height, rgb_fnv1a64: fnv1a64(rgb), top1: labels[top],
                 probabilities });
  console.log(`${rel}: ${labels[top]} ` +
              probabilities.map((p, i) => `${labels[i]}=${p.toFixed(5)}`).join(" "));
}
writeFileSync(outJson, JSON.stringify({
  source: "nsfwjs@4.4.0 MobileNetV2 (tfjs layers, @tensorflow/tfjs CPU backend), " +
          "produced by samples/models/verify_against_nsfwjs.sh",
  note: "ADULT-CONTENT model (not a CSAM model); all images are benign",
  paths_relative_to: "the shared testdata directory (VIGIL_TESTDATA)",
  decode: "ImageMagick convert -colorspace sRGB -type TrueColor -depth 8 (no auto-orient)",
  tolerance: 1e-3,
  labels,
  tfjs_version: tf.version_core,
  images: results,
}, null, 1) + "\n");
console.log(`verify_against_nsfwjs: wrote ${results.length} results to ${outJson}`);
