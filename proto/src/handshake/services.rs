//! The services a go-plugin process serves beside its own: the controller (graceful
//! shutdown), stdio forwarding, the connection broker and the gRPC health check.
//!
//! Output is never forwarded over stdio (logs go to stderr directly), and no extra
//! connections are ever brokered, so those two streams stay open and silent until shutdown.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::watch;
use tokio_stream::{Stream, StreamExt};
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

use crate::goplugin::grpc_broker_server::GrpcBroker;
use crate::goplugin::grpc_controller_server::GrpcController;
use crate::goplugin::grpc_stdio_server::GrpcStdio;
use crate::goplugin::{ConnInfo, Empty, StdioData};
use crate::health::health_check_response::ServingStatus;
use crate::health::health_server::Health;
use crate::health::{HealthCheckRequest, HealthCheckResponse};

/// The health check names go-plugin clients ask about.
const HEALTHY_SERVICES: [&str; 2] = ["", "plugin"];

/// A one-way latch the controller sets; everything long-lived watches it.
#[derive(Clone, Debug)]
pub(crate) struct ShutdownSignal {
    sender: watch::Sender<bool>,
}

impl ShutdownSignal {
    pub(crate) fn new() -> ShutdownSignal {
        ShutdownSignal {
            sender: watch::Sender::new(false),
        }
    }

    pub(crate) fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// Resolves once [`ShutdownSignal::trigger`] has been called.
    pub(crate) fn triggered(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.sender.subscribe();
        async move {
            // An error means the sender is gone, which also ends the server.
            let _ = receiver.wait_for(|triggered| *triggered).await;
        }
    }
}

/// A response stream that yields nothing and ends at shutdown.
struct SilentUntilShutdown<T> {
    shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    item: PhantomData<fn() -> T>,
}

impl<T> SilentUntilShutdown<T> {
    fn boxed(signal: &ShutdownSignal) -> BoxStream<T>
    where
        T: Send + 'static,
    {
        Box::pin(SilentUntilShutdown::<T> {
            shutdown: Some(Box::pin(signal.triggered())),
            item: PhantomData,
        })
    }
}

impl<T> Stream for SilentUntilShutdown<T> {
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(shutdown) = self.shutdown.as_mut() else {
            return Poll::Ready(None);
        };
        match shutdown.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.shutdown = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

pub(crate) struct Controller {
    pub(crate) shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("plugin client asked for shutdown");
        self.shutdown.trigger();
        Ok(Response::new(Empty {}))
    }
}

pub(crate) struct Stdio {
    pub(crate) shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        Ok(Response::new(SilentUntilShutdown::boxed(&self.shutdown)))
    }
}

pub(crate) struct Broker {
    pub(crate) shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut incoming = request.into_inner();
        let shutdown = self.shutdown.triggered();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            loop {
                tokio::select! {
                    () = &mut shutdown => break,
                    message = incoming.next() => match message {
                        Some(Ok(info)) => tracing::debug!(
                            service_id = info.service_id,
                            "ignoring a broker connection offer"
                        ),
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        Ok(Response::new(SilentUntilShutdown::boxed(&self.shutdown)))
    }
}

pub(crate) struct HealthCheck;

#[tonic::async_trait]
impl Health for HealthCheck {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        if HEALTHY_SERVICES.contains(&service.as_str()) {
            Ok(Response::new(HealthCheckResponse {
                status: ServingStatus::Serving.into(),
            }))
        } else {
            Err(Status::not_found(format!("unknown service {service:?}")))
        }
    }
}
