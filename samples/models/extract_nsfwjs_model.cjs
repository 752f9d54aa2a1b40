// Writes the MobileNetV2 model bundled in an unpacked nsfwjs@4.4.0 package as a plain
// tfjs layers model: model.json + group1-shard1of1 (binary weights).
// nsfwjs ships it as two UMD modules (dist/models/mobilenet_v2/*.min.js): the first
// exports the model.json object, the second the weight shard as a base64 string.
// Usage: node extract_nsfwjs_model.cjs NSFWJS_PACKAGE_DIR OUT_DIR
"use strict";
const fs = require("fs");
const path = require("path");

const [pkgDir, outDir] = process.argv.slice(2);
if (!pkgDir || !outDir) {
  console.error("usage: node extract_nsfwjs_model.cjs NSFWJS_PACKAGE_DIR OUT_DIR");
  process.exit(2);
}
const modelDir = path.resolve(pkgDir, "dist/models/mobilenet_v2");
const modelJson = require(path.join(modelDir, "model.min.js"));
if (!modelJson.modelTopology || !modelJson.weightsManifest) {
  console.error(`extract_nsfwjs_model: ${modelDir}/model.min.js is not a tfjs layers model`);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
for (const group of modelJson.weightsManifest) {
  for (const shardPath of group.paths) {
    const base64 = require(path.join(modelDir, `${shardPath}.min.js`));
    if (typeof base64 !== "string") {
      console.error(`extract_nsfwjs_model: ${shardPath}.min.js does not export a string`);
      process.exit(1);
    }
    fs.writeFileSync(path.join(outDir, shardPath), Buffer.from(base64, "base64"));
  }
}
fs.writeFileSync(path.join(outDir, "model.json"), JSON.stringify(modelJson));
console.log(`extract_nsfwjs_model: wrote ${outDir}/model.json and its weight shards`);
