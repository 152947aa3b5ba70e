//! A gzip writer that compresses on every core, as pigz does: the input is cut into fixed
//! 128 KiB blocks, each deflated on its own with the previous 32 KiB as its dictionary and
//! ended with a sync flush, and the blocks are joined into one ordinary gzip member.
//! The bytes depend only on the input and the level, never on the number of threads, so an
//! artifact's digest is the same on every machine.

use flate2::{Compress, Compression, FlushCompress, Status};
use std::io::{self, Write};

const BLOCK: usize = 128 * 1024;
const WINDOW: usize = 32 * 1024;
/// The fixed gzip header: deflate, no flags, zero mtime, no extra flags, OS "unknown".
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

pub struct ParallelGzWriter<W: Write> {
    out: Option<W>,
    level: Compression,
    threads: usize,
    /// Input not compressed yet; compressed a batch of blocks at a time.
    pending: Vec<u8>,
    /// The last 32 KiB of input before `pending`: the next block's dictionary.
    window: Vec<u8>,
    crc: crc32fast::Hasher,
    size: u64,
    started: bool,
    /// The batch being compressed in the background while the next one fills.
    in_flight: Option<std::thread::JoinHandle<io::Result<Vec<u8>>>>,
}

impl<W: Write> ParallelGzWriter<W> {
    pub fn new(out: W, level: Compression) -> Self {
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .clamp(1, 16);
        ParallelGzWriter {
            out: Some(out),
            level,
            threads,
            pending: Vec::with_capacity(BLOCK * 2 * threads),
            window: Vec::new(),
            crc: crc32fast::Hasher::new(),
            size: 0,
            started: false,
            in_flight: None,
        }
    }

    fn batch_bytes(&self) -> usize {
        BLOCK * 2 * self.threads
    }

    fn sink(&mut self) -> io::Result<&mut W> {
        self.out
            .as_mut()
            .ok_or_else(|| io::Error::other("gzip writer already finished"))
    }

    /// Hands the whole blocks pending (everything, when `last` ends the stream) to a background
    /// compression, after writing out the previous batch: at most two batches are in memory.
    fn flush_batch(&mut self, last: bool) -> io::Result<()> {
        if !self.started {
            self.sink()?.write_all(&HEADER)?;
            self.started = true;
        }
        // Only whole blocks leave before the end, so block edges never depend on batch sizes.
        let take = if last {
            self.pending.len()
        } else {
            self.pending.len() / BLOCK * BLOCK
        };
        if take == 0 && !last {
            return Ok(());
        }
        let rest = self.pending.split_off(take);
        let data = std::mem::replace(&mut self.pending, rest);
        let window = self.window.clone();
        // The next block's dictionary: the last 32 KiB of everything compressed so far.
        self.window
            .extend_from_slice(&data[data.len().saturating_sub(WINDOW)..]);
        let excess = self.window.len().saturating_sub(WINDOW);
        self.window.drain(..excess);
        self.write_in_flight()?;
        let (level, threads) = (self.level, self.threads);
        self.in_flight = Some(std::thread::spawn(move || {
            compress_batch(&data, &window, level, threads, last)
        }));
        if last {
            self.write_in_flight()?;
        }
        Ok(())
    }

    /// Waits for the background batch, if any, and writes its output.
    fn write_in_flight(&mut self) -> io::Result<()> {
        if let Some(job) = self.in_flight.take() {
            let out = job
                .join()
                .map_err(|_| io::Error::other("a compression thread panicked"))??;
            self.sink()?.write_all(&out)?;
        }
        Ok(())
    }

    /// Ends the stream (final block and trailer) and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_batch(true)?;
        let crc = self.crc.clone().finalize();
        let size = self.size as u32;
        let mut out = self
            .out
            .take()
            .ok_or_else(|| io::Error::other("gzip writer already finished"))?;
        out.write_all(&crc.to_le_bytes())?;
        out.write_all(&size.to_le_bytes())?;
        Ok(out)
    }
}

/// Compresses one batch: its 128 KiB blocks on `threads` threads, each primed with the
/// previous 32 KiB (`window` for the first), joined in order.
fn compress_batch(
    data: &[u8],
    window: &[u8],
    level: Compression,
    threads: usize,
    last: bool,
) -> io::Result<Vec<u8>> {
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[][..]]
    } else {
        data.chunks(BLOCK).collect()
    };
    let count = blocks.len();
    let dictionaries: Vec<&[u8]> = (0..count)
        .map(|i| {
            if i == 0 {
                window
            } else {
                let prev = blocks[i - 1];
                &prev[prev.len().saturating_sub(WINDOW)..]
            }
        })
        .collect();
    let threads = threads.clamp(1, count);
    let mut compressed: Vec<Option<io::Result<Vec<u8>>>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        // Round-robin: thread t takes blocks t, t + threads, …
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (blocks, dictionaries) = (&blocks, &dictionaries);
                scope.spawn(move || {
                    (t..count)
                        .step_by(threads)
                        .map(|i| {
                            let finish = last && i == count - 1;
                            (i, deflate_block(blocks[i], dictionaries[i], level, finish))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            let done = handle.join().unwrap_or_else(|_| {
                vec![(0, Err(io::Error::other("a compression thread panicked")))]
            });
            for (i, block) in done {
                compressed[i] = Some(block);
            }
        }
    });
    let mut out = Vec::with_capacity(data.len() / 3);
    for block in compressed {
        let block = block.unwrap_or_else(|| Err(io::Error::other("a block was not compressed")))?;
        out.extend_from_slice(&block);
    }
    Ok(out)
}

/// One block as raw deflate, primed with `dictionary`, ended by a sync flush (or the final
/// block of the stream when `finish`).
fn deflate_block(
    input: &[u8],
    dictionary: &[u8],
    level: Compression,
    finish: bool,
) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(level, false);
    if !dictionary.is_empty() {
        c.set_dictionary(dictionary).map_err(io::Error::other)?;
    }
    let flush = if finish {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(input.len() + input.len() / 8 + 1024);
    loop {
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&input[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let done = c.total_in() as usize == input.len() && out.len() < out.capacity();
        match status {
            Status::StreamEnd => return Ok(out),
            Status::Ok | Status::BufError if done && !finish => return Ok(out),
            _ => out.reserve(out.capacity().max(4096)),
        }
    }
}

impl<W: Write> Write for ParallelGzWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.crc.update(buf);
        self.size += buf.len() as u64;
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= self.batch_bytes() {
            self.flush_batch(false)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Compressed output only leaves in whole batches; nothing to push early.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gz(data: &[u8], threads: usize) -> Vec<u8> {
        let mut w = ParallelGzWriter::new(Vec::new(), Compression::default());
        w.threads = threads;
        w.pending = Vec::new();
        // Write in odd-sized pieces to cross block and batch edges.
        for chunk in data.chunks(77_777) {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| b"apiVersion: v1\nkind: ConfigMap\n"[i % 31] ^ ((i / 4093) as u8 & 3))
            .collect()
    }

    #[test]
    fn round_trips_every_size() {
        for len in [
            0,
            1,
            1000,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            3 * BLOCK + 17,
            9 * BLOCK,
        ] {
            let data = sample(len);
            assert_eq!(gunzip(&gz(&data, 2)), data, "length {len}");
        }
    }

    #[test]
    fn output_is_the_same_for_any_thread_count() {
        let data = sample(7 * BLOCK + 5);
        let one = gz(&data, 1);
        // Compared with == so a failure does not print megabytes.
        assert!(one == gz(&data, 2), "1 and 2 threads differ");
        assert!(one == gz(&data, 5), "1 and 5 threads differ");
    }

    #[test]
    fn compresses_like_ordinary_gzip() {
        let data = sample(4 * BLOCK);
        let ours = gz(&data, 2);
        let mut plain = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        plain.write_all(&data).unwrap();
        let plain = plain.finish().unwrap();
        // Sync flushes and per-block restarts cost a little; never much.
        assert!(
            ours.len() < plain.len() + plain.len() / 10 + 64,
            "{} vs {}",
            ours.len(),
            plain.len()
        );
        assert_eq!(&ours[..10], &HEADER);
    }
}
