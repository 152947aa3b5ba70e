//! Object stores: S3 (s3s-fs, which checks SigV4 signatures; bucket B key K is the file
//! `$TEST_S3_DATA_DIR/B/K`) and Azure Blob (azurite).

use super::{Servers, free_port, tcp_open};
use crate::install::{azurite_bin, s3s_fs_bin};
use anyhow::Result;
use std::process::Command;
use std::time::Duration;

pub const S3_ACCESS_KEY: &str = "testaccesskey";
pub const S3_SECRET_KEY: &str = "testsecretkey123";
/// Azurite's documented development account.
pub const AZ_ACCOUNT: &str = "devstoreaccount1";
pub const AZ_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

pub fn start_s3(s: &mut Servers) -> Result<()> {
    let port = free_port()?;
    let data = s.state.join("s3");
    std::fs::create_dir_all(&data)?;
    s.spawn(
        "s3",
        Command::new(s3s_fs_bin())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY])
            .arg(&data),
    )?;
    s.wait("s3", Duration::from_secs(30), || tcp_open(port))?;
    s.set("TEST_S3_ENDPOINT", format!("http://127.0.0.1:{port}"));
    s.set("TEST_S3_ACCESS_KEY", S3_ACCESS_KEY);
    s.set("TEST_S3_SECRET_KEY", S3_SECRET_KEY);
    s.set("TEST_S3_REGION", "us-east-1");
    s.set("TEST_S3_DATA_DIR", data.display().to_string());
    Ok(())
}

pub fn start_azurite(s: &mut Servers) -> Result<()> {
    let port = free_port()?;
    let data = s.state.join("azurite");
    std::fs::create_dir_all(&data)?;
    s.spawn(
        "azurite",
        Command::new(azurite_bin())
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .arg("--location")
            .arg(&data)
            .args([
                "--silent",
                "--skipApiVersionCheck",
                "--disableProductStyleUrl",
            ]),
    )?;
    s.wait("azurite", Duration::from_secs(30), || tcp_open(port))?;
    let endpoint = format!("http://127.0.0.1:{port}/{AZ_ACCOUNT}");
    s.set("TEST_AZURE_BLOB_ENDPOINT", endpoint.clone());
    s.set("TEST_AZURE_ACCOUNT", AZ_ACCOUNT);
    s.set("TEST_AZURE_KEY", AZ_KEY);
    s.set(
        "TEST_AZURE_CONNECTION_STRING",
        format!(
            "DefaultEndpointsProtocol=http;AccountName={AZ_ACCOUNT};AccountKey={AZ_KEY};BlobEndpoint={endpoint};"
        ),
    );
    Ok(())
}
