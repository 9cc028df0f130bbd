namespace Skiff.ApiServer;
