"""The kraft plugin: Pulumi runs this to serve KraftCluster (kraft:index:KraftCluster) to other languages."""

from kraft_component.hosted import host

if __name__ == "__main__":
    host()
