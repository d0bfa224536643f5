// nalu export: a saved model (model.json + weights) into a format that runs without nalu.
import { NaluError } from '../errors';
import { saveONNX } from '../export/onnx';
import { loadModel } from '../io';
import { UsageError, flagHelp, outputFile, parseWithPositionals, type Command, type Options } from './args';

const options: Options = {
  onnx: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function help(): string {
  return `Usage: nalu export MODEL_DIR --onnx FILE

Writes a model saved by model.save / nalu train in a portable format.

Options:
${flagHelp([
  ['--onnx FILE', 'ONNX, opset 17, standard operators only (input x [batch, in], output y); needs onnx-proto'],
  ['-h, --help', 'this help'],
])}

Example:
  npx nalu train --op mul --model nau-nmu --iterations 1e5 --save mul-model
  npx nalu export mul-model --onnx mul.onnx
`;
}

async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseWithPositionals(argv, options);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one MODEL_DIR, received ${positionals.length ? positionals.join(' ') : 'none'}`);
  if (v.onnx === undefined) throw new UsageError('give --onnx FILE (the format to write)');
  const file = outputFile(v.onnx, 'onnx')!;
  try {
    const model = await loadModel(positionals[0]);
    try {
      await saveONNX(model, file);
    } finally {
      model.dispose();
    }
  } catch (e) {
    // A model that cannot be read or exported is not a flag error: its message, exit 1.
    if (!(e instanceof NaluError) && !(e instanceof RangeError)) throw e;
    process.stderr.write(`nalu export: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(`nalu export: wrote ${file}\n`);
  return 0;
}

export const exportCommand: Command = { name: 'export', summary: 'write a saved model as ONNX', help, run };
